export * from './db/migrations.ts';
export * from './db/schema.ts';
export * from './text.ts';
