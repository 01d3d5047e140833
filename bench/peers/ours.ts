/**
 * Our whole app (createApp, every middleware) as a peer in bench/node.ts, on the database the
 * driver prepared: on Node through @hono/node-server (as a container deploy would run it),
 * on Bun through Bun.serve. Logs as deployed: info level, a request line and an EMF line per
 * request on stdout. Adds the 4 KB page route behind the same middleware.
 */
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from '../../packages/api/src/app.ts';
import { createDeps } from '../../packages/api/src/deps.ts';
import { parseEnv } from '../../packages/api/src/env.ts';
import { benchLogLevel } from '../lib.ts';
import { PAGE, peerConfig, RATE_LIMIT_MAX } from './common.ts';

const config = peerConfig();
const env = parseEnv({
  STAGE: 'local',
  LOG_LEVEL: benchLogLevel(),
  DATABASE_URL: config.databaseUrl,
  REDIS_URL: config.redisUrl,
  CACHE_PREFIX: `bench-${process.pid}:`,
  BETTER_AUTH_SECRET: config.secret,
  RATE_LIMIT_DEFAULT: String(RATE_LIMIT_MAX),
  RATE_LIMIT_AUTH: String(RATE_LIMIT_MAX),
});
const deps = await createDeps(env);
const app = createApp(deps);
(app as unknown as Hono).get('/api/bench/page', (c) => c.json(PAGE));

if (typeof Bun !== 'undefined') {
  Bun.serve({ port: config.port, hostname: '127.0.0.1', fetch: app.fetch });
} else {
  serve({ port: config.port, hostname: '127.0.0.1', fetch: app.fetch });
}
