/** Where Better Auth's endpoints are mounted (a leaf module: audit and logging read it too). */
export const AUTH_BASE_PATH = '/api/auth';

/** The header that carries an API key. */
export const API_KEY_HEADER = 'x-api-key';
