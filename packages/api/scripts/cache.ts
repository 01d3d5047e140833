/**
 * `just cache clear`: removes every key under the configured prefix.
 * `just cache warm [users]`: loads the first page of the chat list of the most recently
 * active users into the shared cache, through the same code the API serves it with.
 */
import { chats } from '@backend/shared/schema';
import { desc, max } from 'drizzle-orm';
import { createDeps } from '../src/deps.ts';
import { createCache } from '../src/lib/cache/index.ts';
import { createLogger } from '../src/lib/logger.ts';
import { createChatsService } from '../src/routes/chats/chats.service.ts';
import { runScript, ScriptError } from './run.ts';

const FIRST_PAGE = 20;

await runScript(async (env, [command, count = '100']) => {
  if (!env.REDIS_URL) {
    throw new ScriptError(
      'REDIS_URL is not set: the in-process cache lives inside the running server, so there is nothing to clear or warm from here.',
    );
  }
  if (command === 'clear') {
    const cache = await createCache(env, createLogger({ level: 'warn' }));
    try {
      process.stdout.write(`Removed ${await cache.clear()} keys under "${env.CACHE_PREFIX}"\n`);
    } finally {
      await cache.close();
    }
    return;
  }
  if (command !== 'warm') throw new ScriptError('usage: cache.ts clear | warm [users]');
  const users = Number(count);
  if (!Number.isInteger(users) || users < 1 || users > 10_000) {
    throw new ScriptError('users must be a whole number from 1 to 10000');
  }
  if (!env.DATABASE_URL) {
    throw new ScriptError('DATABASE_URL is not set: warming reads the chat lists from PostgreSQL.');
  }
  const deps = await createDeps(env, { logger: createLogger({ level: 'warn' }) });
  try {
    const active = await deps.database.reader
      .select({ userId: chats.userId, lastActivity: max(chats.updatedAt) })
      .from(chats)
      .groupBy(chats.userId)
      .orderBy(desc(max(chats.updatedAt)))
      .limit(users);
    const chatsService = createChatsService({
      db: deps.database.reader,
      appCache: deps.appCache,
      listTtlSeconds: env.APP_CACHE_TTL_SECONDS,
    });
    for (const { userId } of active) await chatsService.listPage(userId, FIRST_PAGE);
    const stats = deps.appCache.stats();
    process.stdout.write(
      `Warmed the chat lists of ${active.length} users (${stats.misses} loaded, ${stats.l2Hits} already cached)\n`,
    );
  } finally {
    await deps.close();
  }
});
