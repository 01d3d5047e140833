/** `just cache clear`: removes every key under the configured prefix. */
import { createCache } from '../src/lib/cache/index.ts';
import { createLogger } from '../src/lib/logger.ts';
import { runScript, ScriptError } from './run.ts';

await runScript(async (env, [command]) => {
  if (command !== 'clear') throw new ScriptError('usage: cache.ts clear');
  if (!env.REDIS_URL) {
    throw new ScriptError(
      'REDIS_URL is not set: the in-process cache lives inside the running server and empties when it restarts.',
    );
  }
  const cache = await createCache(env, createLogger({ level: 'warn' }));
  try {
    const removed = await cache.clear();
    process.stdout.write(`Removed ${removed} keys under "${env.CACHE_PREFIX}"\n`);
  } finally {
    await cache.close();
  }
});
