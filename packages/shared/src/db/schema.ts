/**
 * The whole database schema: its tables (tables.ts: what drizzle-kit diffs and what the app
 * queries) and the Zod schemas derived from them (`schema/*.zod.ts`, what the API validates).
 * The package has no side effects at import (`sideEffects: false`): a bundle keeps only the
 * modules whose exports it uses, so what needs only the tables builds no Zod schema.
 */
export * from './schema/chats.zod.ts';
export * from './schema/files.zod.ts';
export * from './tables.ts';
