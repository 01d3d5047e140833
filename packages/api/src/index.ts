/**
 * The Lambda entry. Deps are built once per container, at init, and reused by every
 * invocation; responses stream through the Function URL (`RESPONSE_STREAM`).
 */
import { streamHandle } from 'hono/aws-lambda';
import { createApp } from './app.ts';
import { createDeps } from './deps.ts';
import { loadEnv } from './env.ts';

const deps = await createDeps(loadEnv());

export const handler = streamHandle(createApp(deps));
