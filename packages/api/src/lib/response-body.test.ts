import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { recordJsonBodies, rememberBody, rememberedBody } from './response-body.ts';

describe('response bodies', () => {
  test('c.json records the JSON text it answers, with the same response as Hono builds', async () => {
    let recorded: string | Uint8Array | undefined;
    const app = new Hono();
    app.use(async (c, next) => {
      recordJsonBodies(c);
      await next();
      recorded = rememberedBody(c.res);
    });
    app.get('/', (c) => c.json({ a: 1, b: 'two' }, 201, { 'x-extra': 'yes' }));
    const plain = new Hono().get('/', (c) => c.json({ a: 1, b: 'two' }, 201, { 'x-extra': 'yes' }));

    const response = await app.request('/');
    const expected = await plain.request('/');
    expect(response.status).toBe(expected.status);
    expect([...response.headers]).toEqual([...expected.headers]);
    expect(await response.text()).toBe(await expected.text());
    expect(recorded).toBe('{"a":1,"b":"two"}');
  });

  test('a Content-Type the handler sets wins over JSON', async () => {
    const app = new Hono();
    app.use(async (c, next) => {
      recordJsonBodies(c);
      await next();
    });
    app.get('/', (c) => c.json({ ok: true }, 200, { 'content-type': 'application/problem+json' }));
    const response = await app.request('/');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  test('a response nobody recorded has no remembered body', () => {
    expect(rememberedBody(new Response('x'))).toBeUndefined();
    const response = rememberBody(new Response('y'), 'y');
    expect(rememberedBody(response)).toBe('y');
  });
});
