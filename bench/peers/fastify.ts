/**
 * The Fastify 5 peer stack: helmet, CORS, compression, rate limit (memory, or Redis with
 * BENCH_REDIS_URL), weak ETags and its pino logger, one JSON line per request, with the
 * same session query and bodies as ours (bench/peers/common.ts).
 */
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import etag from '@fastify/etag';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController } from 'fastify';
import { Redis } from 'ioredis';
import {
  createChatListCache,
  createSessionLookup,
  EXTRA_HEADERS,
  HELMET_OPTIONS,
  newRequestId,
  PAGE,
  peerConfig,
  RATE_LIMIT_MAX,
  RATE_LIMIT_WINDOW_MS,
  type SessionUser,
} from './common.ts';

const config = peerConfig();
const lookup = createSessionLookup(config);
const chatList = createChatListCache(config);

const app = Fastify({
  logger: { level: 'info' },
  // One line per request (written on response), not Fastify's two.
  logController: new LogController({ disableRequestLogging: true }),
  genReqId: (req) => (req.headers['x-request-id'] as string | undefined) ?? newRequestId(),
});
await app.register(helmet, HELMET_OPTIONS);
await app.register(cors, { origin: ['http://localhost:3000'], credentials: true });
await app.register(compress, {
  threshold: 1024,
  brotliOptions: { params: { [(await import('node:zlib')).constants.BROTLI_PARAM_QUALITY]: 2 } },
  zlibOptions: { level: 3 },
});
await app.register(etag, { weak: true });
await app.register(rateLimit, {
  max: RATE_LIMIT_MAX,
  timeWindow: RATE_LIMIT_WINDOW_MS,
  enableDraftSpec: true,
  ...(config.redisUrl ? { redis: new Redis(config.redisUrl) } : {}),
  keyGenerator: (req) => (req as { user?: SessionUser }).user?.id ?? req.ip,
});

app.decorateRequest('user', null);
app.addHook('onRequest', async (req, reply) => {
  reply.header('x-request-id', req.id);
  for (const [name, value] of Object.entries(EXTRA_HEADERS)) reply.header(name, value);
  (req as { user?: SessionUser | null }).user = await lookup(req.headers.authorization);
});
app.addHook('onResponse', async (req, reply) => {
  req.log.info(
    { method: req.method, path: req.url, status: reply.statusCode, ms: reply.elapsedTime },
    'request',
  );
});

app.get('/api/chats', async (req, reply) => {
  const user = (req as { user?: SessionUser | null }).user;
  if (!user) return reply.code(401).send({ error: { code: 'UNAUTHORIZED' } });
  return chatList(user.id);
});
app.get('/api/bench/page', async (req, reply) => {
  if (!(req as { user?: SessionUser | null }).user) return reply.code(401).send({});
  return PAGE;
});

await app.listen({ port: config.port, host: '127.0.0.1' });
