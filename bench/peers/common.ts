/**
 * What the peer stacks (Fastify, Express) share, so they do the same work per request as ours:
 * the session lookup (the same signed bearer token, HMAC-SHA256 verified, then one postgres.js
 * query joining the session to its user), the chat list from an in-process cache (ours comes
 * from the application cache's in-process tier), the 4 KB page, and the response headers our
 * stack sends that their middleware does not.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import postgres from 'postgres';

/** What the benchmark driver passes every server (bench/node.ts). */
export interface PeerConfig {
  port: number;
  databaseUrl: string;
  secret: string;
  redisUrl?: string;
}

export function peerConfig(): PeerConfig {
  const { BENCH_PORT, BENCH_DATABASE_URL, BENCH_SECRET, BENCH_REDIS_URL } = process.env;
  if (!BENCH_PORT || !BENCH_DATABASE_URL || !BENCH_SECRET)
    throw new Error('BENCH_PORT, BENCH_DATABASE_URL and BENCH_SECRET are required');
  return {
    port: Number(BENCH_PORT),
    databaseUrl: BENCH_DATABASE_URL,
    secret: BENCH_SECRET,
    redisUrl: BENCH_REDIS_URL || undefined,
  };
}

/** Same limits as our bench server: the limiter's cost is measured, never its refusals. */
export const RATE_LIMIT_MAX = 1_000_000_000;
export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Headers our stack sends on GET /api/chats that helmet does not (helmet sends the rest). */
export const EXTRA_HEADERS = {
  'cache-control': 'private, no-cache',
  vary: 'Cookie, Authorization, X-Api-Key, Accept-Encoding, Origin',
  'permissions-policy':
    'camera=(), microphone=(), geolocation=(), payment=(), usb=(), fullscreen=()',
  'cross-origin-embedder-policy': 'require-corp',
} as const;

/** Helmet configured to the values our secure-headers middleware sends. */
export const HELMET_OPTIONS = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  },
  crossOriginEmbedderPolicy: true,
  frameguard: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const },
  strictTransportSecurity: false,
};

export const newRequestId = () => randomUUID();

export interface SessionUser {
  id: string;
  email: string;
}

/** The caller's session from a signed bearer token, in one query, as lib/auth/session-lookup.ts. */
export function createSessionLookup(config: PeerConfig) {
  const sql = postgres(config.databaseUrl, { max: 10, onnotice: () => {} });
  return async function lookup(authorization: string | undefined): Promise<SessionUser | null> {
    if (!authorization?.startsWith('Bearer ')) return null;
    const signed = decodeURIComponent(authorization.slice(7));
    const at = signed.lastIndexOf('.');
    if (at < 1) return null;
    const token = signed.slice(0, at);
    const signature = Buffer.from(signed.slice(at + 1));
    const expected = Buffer.from(
      createHmac('sha256', config.secret).update(token).digest('base64'),
    );
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return null;
    const [row] = await sql`
      select s.id as session_id, s.expires_at, u.id, u.email, u.name, u.role, u.banned
      from session s join "user" u on u.id = s.user_id
      where s.token = ${token} limit 1`;
    if (!row || (row.expires_at as Date).getTime() <= Date.now()) return null;
    return { id: row.id as string, email: row.email as string };
  };
}

/** A user's chat list, loaded once from PostgreSQL and kept in-process for `ttlMs`. */
export function createChatListCache(config: PeerConfig, ttlMs = 60_000) {
  const sql = postgres(config.databaseUrl, { max: 2, onnotice: () => {} });
  const cache = new Map<string, { at: number; body: unknown }>();
  return async function chatList(userId: string): Promise<unknown> {
    const hit = cache.get(userId);
    if (hit && Date.now() - hit.at < ttlMs) return hit.body;
    const rows = await sql`
      select id, title, created_at, updated_at from chats
      where user_id = ${userId} order by created_at desc, id desc limit 21`;
    const items = rows.slice(0, 20).map((row) => ({
      id: row.id,
      title: row.title,
      createdAt: (row.created_at as Date).toISOString(),
      updatedAt: (row.updated_at as Date).toISOString(),
    }));
    const body = { items, nextCursor: null };
    cache.set(userId, { at: Date.now(), body });
    return body;
  };
}

/** About 4 KB of JSON: a page of text, for the brotli variant. */
export const PAGE = {
  title: 'Quarterly planning notes',
  paragraphs: Array.from(
    { length: 24 },
    (_, i) =>
      `Paragraph ${i}: the assistant proposed three options, the user chose the second and asked for a draft by Friday.`,
  ),
};
