/**
 * The Express 5 peer stack: helmet, cors, compression, express-rate-limit (memory, or
 * rate-limit-redis with BENCH_REDIS_URL), its built-in weak ETags and a pino line per
 * request, with the same session query and bodies as ours (bench/peers/common.ts).
 */
import { constants } from 'node:zlib';
import compression from 'compression';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { Redis } from 'ioredis';
import pino from 'pino';
import { type RedisReply, RedisStore } from 'rate-limit-redis';
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
const log = pino({ level: 'info' });
const redis = config.redisUrl ? new Redis(config.redisUrl) : undefined;

type Req = Request & { user?: SessionUser | null; id?: string };

const app = express();
app.set('etag', 'weak');
app.set('x-powered-by', false);
app.use((req: Req, res: Response, next: NextFunction) => {
  const started = performance.now();
  req.id = (req.headers['x-request-id'] as string | undefined) ?? newRequestId();
  res.setHeader('x-request-id', req.id);
  res.setHeaders(new Map(Object.entries(EXTRA_HEADERS)));
  res.on('finish', () => {
    log.info(
      {
        reqId: req.id,
        method: req.method,
        path: req.url,
        status: res.statusCode,
        ms: performance.now() - started,
      },
      'request',
    );
  });
  next();
});
app.use(helmet(HELMET_OPTIONS));
app.use(cors({ origin: ['http://localhost:3000'], credentials: true }));
app.use(
  compression({
    threshold: 1024,
    level: 3,
    brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 2 } },
  }),
);
app.use((req: Req, _res, next) => {
  lookup(req.headers.authorization).then((user) => {
    req.user = user;
    next();
  }, next);
});
app.use(
  rateLimit({
    windowMs: RATE_LIMIT_WINDOW_MS,
    limit: RATE_LIMIT_MAX,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    // Its IPv6 key check is a start-up warning, not per-request work.
    validate: false,
    keyGenerator: (req: Req) => req.user?.id ?? req.ip ?? '-',
    ...(redis
      ? {
          store: new RedisStore({
            sendCommand: (command: string, ...args: string[]) =>
              redis.call(command, ...args) as Promise<RedisReply>,
          }),
        }
      : {}),
  }),
);

app.get('/api/chats', async (req: Req, res) => {
  if (!req.user) return void res.status(401).json({ error: { code: 'UNAUTHORIZED' } });
  res.json(await chatList(req.user.id));
});
app.get('/api/bench/page', (req: Req, res) => {
  if (!req.user) return void res.status(401).json({});
  res.json(PAGE);
});

app.listen(config.port, '127.0.0.1');
