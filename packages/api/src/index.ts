/**
 * The Lambda entry. Deps are built once per container, at init, and reused by every
 * invocation; responses stream through the Function URL (`RESPONSE_STREAM`). Each
 * invocation's logs carry its Lambda request id and cold-start flag, and its metrics are
 * written once, after the response has streamed.
 */
import { streamHandle } from 'hono/aws-lambda';
import { createApp } from './app.ts';
import { createDeps, createRootLogger } from './deps.ts';
import { loadEnv } from './env.ts';
import { instrumentHandler } from './lib/observability/lambda.ts';

const env = loadEnv();
const logger = createRootLogger(env);
const deps = await createDeps(env, { logger });

export const handler = instrumentHandler(streamHandle(createApp(deps)), {
  logger,
  metrics: deps.metrics,
  tracing: deps.tracing,
});
