import { defineConfig } from 'drizzle-kit';

/** `just db generate` diffs the schema against the committed migrations. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
  casing: 'snake_case',
  strict: true,
  verbose: true,
});
