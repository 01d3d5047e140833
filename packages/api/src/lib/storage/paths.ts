/** Where the app takes the local storage's uploads and serves its downloads (local.ts). */
export const LOCAL_UPLOAD_PATH = '/api/files/uploads';
export const LOCAL_DOWNLOAD_PATH = '/api/files/downloads';
