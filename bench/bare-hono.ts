/** The baseline: a bare Hono app behind the same Lambda adapter, bundled the same way. */
import { Hono } from 'hono';
import { streamHandle } from 'hono/aws-lambda';

const app = new Hono().get('/health', (c) => c.json({ status: 'ok' }));

export const handler = streamHandle(app);
