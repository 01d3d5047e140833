/**
 * Replies cached by prompt, for callers that opt in (`cache: true`): the key is a hash of
 * the model and the whole prompt, so a different history is a different key. A cache that
 * fails is a miss; a reply that cannot be cached is only logged.
 */
import { createHash } from 'node:crypto';
import type { BaseMessage } from '@langchain/core/messages';
import type { Cache } from '../../lib/cache/types.ts';
import type { Logger } from '../../lib/logger.ts';
import { messageText } from '../runtime/tokens.ts';

export interface ReplyCacheOptions {
  cache: Pick<Cache, 'get' | 'set'>;
  /** How long a reply stays cached (AI_CACHE_TTL_SECONDS). */
  ttlSeconds: number;
  logger: Logger;
}

export function createReplyCache({ cache, ttlSeconds, logger }: ReplyCacheOptions) {
  return {
    /** Per user: a reply is never served to anyone but who it was made for. */
    key(userId: string, model: string, prompt: BaseMessage[]): string {
      const hash = createHash('sha256')
        .update(JSON.stringify([userId, model, prompt.map((m) => [m.getType(), messageText(m)])]))
        .digest('base64url');
      return `ai:reply:${hash}`;
    },

    async get(key: string | null): Promise<string | null> {
      if (!key) return null;
      const hit = await cache.get(key).catch(() => null);
      if (hit === null) return null;
      const parsed = JSON.parse(hit) as { content?: unknown };
      return typeof parsed.content === 'string' ? parsed.content : null;
    },

    async set(key: string | null, content: string): Promise<void> {
      if (!key) return;
      await cache
        .set(key, JSON.stringify({ content }), ttlSeconds)
        .catch((error: unknown) => logger.warn('ai reply not cached', { err: error }));
    },
  };
}

export type ReplyCache = ReturnType<typeof createReplyCache>;
