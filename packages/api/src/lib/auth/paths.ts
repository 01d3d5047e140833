/** Where Better Auth's endpoints are mounted (a leaf module: audit and logging read it too). */
export const AUTH_BASE_PATH = '/api/auth';
