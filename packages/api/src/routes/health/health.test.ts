import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createTestDeps } from '../../../test/test-deps.ts';
import { createApp } from '../../app.ts';
import type { AppDeps } from '../../deps.ts';
import { ERROR_CODES, type ErrorBody } from '../../lib/errors.ts';

let deps: AppDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(() => deps.close());

describe('GET /health', () => {
  test('answers 200 without touching any dependency', async () => {
    const broken = {
      ...deps,
      database: { ...deps.database, ping: () => Promise.reject(new Error('down')) },
    };
    const res = await createApp(broken).request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('echoes a well-formed incoming request id and generates one otherwise', async () => {
    const app = createApp(deps);
    const given = await app.request('/health', { headers: { 'X-Request-Id': 'client-abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('client-abc-123');
    const generated = await app.request('/health', { headers: { 'X-Request-Id': 'bad id!<>' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('GET /health/ready', () => {
  test('answers 200 when the database and the cache answer', async () => {
    const res = await createApp(deps).request('/health/ready');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { database: 'ok', cache: 'ok' } });
  });

  test('answers 503 naming the cache when it fails', async () => {
    const broken = {
      ...deps,
      cache: { ...deps.cache, ping: () => Promise.reject(new Error('x')) },
    };
    const res = await createApp(broken).request('/health/ready');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe(ERROR_CODES.SERVICE_UNAVAILABLE);
    expect(body.error.message).toContain('cache');
    expect(body.error.message).not.toContain('database');
    expect(body.error.details).toEqual({ checks: { database: 'ok', cache: 'unavailable' } });
  });

  test('answers 503 naming the database when it is closed', async () => {
    const other = await createTestDeps();
    await other.database.close();
    const res = await createApp(other).request('/health/ready');
    await other.close();
    expect(res.status).toBe(503);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.details).toEqual({ checks: { database: 'unavailable', cache: 'ok' } });
  });
});

describe('GET /health/ready under a flood', () => {
  test('parallel callers share one check, and for a second after it its result', async () => {
    let pings = 0;
    const counted = {
      ...deps,
      database: {
        ...deps.database,
        ping: async () => {
          pings++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        },
      },
    };
    const app = createApp(counted);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => app.request('/health/ready')),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    expect(pings).toBe(1);
    expect((await app.request('/health/ready')).status).toBe(200);
    expect(pings).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, counted.env.READINESS_CACHE_MS + 50));
    expect((await app.request('/health/ready')).status).toBe(200);
    expect(pings).toBe(2);
  });
});

describe('API documentation', () => {
  test('GET /openapi.json is an OpenAPI 3.1 document listing the routes', async () => {
    const res = await createApp(deps).request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/health/ready']));
  });

  test('GET /docs serves the Scalar reference pointing at the document', async () => {
    const res = await createApp(deps).request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('/openapi.json');
    expect(html.toLowerCase()).toContain('scalar');
  });
});
