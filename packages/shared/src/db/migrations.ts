import { fileURLToPath } from 'node:url';

/** The folder of committed drizzle-kit migrations (SQL files and `meta/_journal.json`). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));
