/**
 * `just ai prune [days]`: deletes the workflow instances (LangGraph threads) not run or
 * resumed for `days` (default AI_GRAPH_TTL_DAYS), with their checkpoints, channel values and
 * pending writes, from the configured database: DATABASE_URL (or the host and secret of a
 * deployed stage), else the embedded database under PGLITE_DATA_DIR (stop the local server
 * first: PGlite allows one process at a time).
 */

import { pruneGraphInstances } from '../src/ai/checkpointer/checkpointer.ts';
import { createDatabase } from '../src/lib/db/index.ts';
import { createLogger } from '../src/lib/logger.ts';
import { createSecretsProvider } from '../src/lib/secrets.ts';
import { runScript, ScriptError } from './run.ts';

const DAY_MS = 86_400_000;

await runScript(async (env, [days]) => {
  const ttlDays = days === undefined ? env.AI_GRAPH_TTL_DAYS : Number(days);
  if (!Number.isInteger(ttlDays) || ttlDays < 1 || ttlDays > 3_650) {
    throw new ScriptError('usage: ai-prune.ts [days], days a whole number from 1 to 3650');
  }
  const logger = createLogger({ level: 'warn' });
  const secrets = createSecretsProvider({ ttlSeconds: env.SECRETS_TTL_SECONDS, logger });
  const database = await createDatabase(env, logger, secrets);
  try {
    const cutoff = new Date(Date.now() - ttlDays * DAY_MS);
    const deleted = await pruneGraphInstances(database.db, cutoff);
    process.stdout.write(
      `Deleted ${deleted} workflow instance${deleted === 1 ? '' : 's'} unused since ${cutoff.toISOString()} (${database.kind})\n`,
    );
  } finally {
    await database.close();
  }
});
