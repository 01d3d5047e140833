/**
 * The whole app for the AI benchmark: `bun bench/ai-server.ts <port> <openai base url> <key>`.
 * The model is the OpenAI-compatible test server at the given URL (through the real
 * `@langchain/openai` client). Prints `READY <bearer token>` when it listens.
 */
import { randomBytes } from 'node:crypto';
import { createApp } from '../packages/api/src/app.ts';
import { createDeps } from '../packages/api/src/deps.ts';
import { loadEnv, parseEnv } from '../packages/api/src/env.ts';
import { signUp } from '../packages/api/test/accounts.ts';
import { createTestDatabase } from '../packages/api/test/test-deps.ts';

const [portText = '3200', openaiUrl = '', openaiKey = ''] = process.argv.slice(2);
const services = loadEnv();
const env = parseEnv({
  STAGE: 'local',
  LOG_LEVEL: 'silent',
  PGLITE_DATA_DIR: 'memory://',
  DATABASE_URL: services.DATABASE_URL,
  CACHE_PREFIX: `bench-ai-${randomBytes(4).toString('hex')}:`,
  BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
  OPENAI_API_KEY: openaiKey,
  OPENAI_BASE_URL: openaiUrl,
  AI_MODELS: 'bench-model',
  OPENAI_MAX_RETRIES: '0',
  // The benchmark measures latency, not refusals.
  RATE_LIMIT_DEFAULT: '1000000000',
  RATE_LIMIT_AUTH: '1000000000',
  RATE_LIMIT_AI: '1000000000',
  AI_DAILY_TOKEN_BUDGET: '1000000000',
});
const database = await createTestDatabase();
const deps = await createDeps(env, { database });
const app = createApp(deps);
const server = Bun.serve({ port: Number(portText), fetch: app.fetch, idleTimeout: 120 });
process.once('SIGTERM', async () => {
  await server.stop(true);
  await deps.close();
  process.exit(0);
});

const { bearer: token } = await signUp(app, deps);
process.stdout.write(`READY ${token}\n`);
