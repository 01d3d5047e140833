/** `just db migrate`: applies the committed migrations to DATABASE_URL. */
import { migratePostgres } from '../src/lib/db/migrate.ts';
import { runScript, ScriptError } from './run.ts';

await runScript(async (env) => {
  if (!env.DATABASE_URL) {
    throw new ScriptError(
      'DATABASE_URL is not set. The embedded database migrates itself on start; set DATABASE_URL to migrate PostgreSQL.',
    );
  }
  const started = performance.now();
  await migratePostgres(env.DATABASE_URL);
  const host = new URL(env.DATABASE_URL).host;
  process.stdout.write(
    `Migrations applied to ${host} in ${Math.round(performance.now() - started)} ms\n`,
  );
});
