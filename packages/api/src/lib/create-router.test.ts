import { describe, expect, test } from 'bun:test';
import { createRoute, z } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { createRouter } from './create-router.ts';
import { ERROR_CODES, type ErrorBody, errorSchema, notFound, onError } from './errors.ts';

// A router with one JSON route, wired the way createApp wires every router.
function buildRouter() {
  const router = createRouter();
  router.use(requestId());
  router.notFound(notFound);
  router.onError(onError);
  const create = createRoute({
    method: 'post',
    path: '/things/{id}',
    request: {
      params: z.object({ id: z.uuid() }),
      query: z.object({ limit: z.coerce.number().int().min(1).max(100).optional() }),
      body: {
        required: true,
        content: {
          'application/json': { schema: z.strictObject({ name: z.string().max(5) }) },
        },
      },
    },
    responses: {
      201: {
        description: 'ok',
        content: { 'application/json': { schema: z.object({ name: z.string() }) } },
      },
      422: { description: 'invalid', content: { 'application/json': { schema: errorSchema } } },
    },
  });
  router.openapi(create, (c) => c.json({ name: c.req.valid('json').name }, 201));
  router.get('/boom', () => {
    throw new Error('secret internal detail at /srv/app.ts:42');
  });
  return router;
}

const ID = '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e';
const post = (path: string, body: string, contentType = 'application/json') =>
  buildRouter().request(path, { method: 'POST', body, headers: { 'content-type': contentType } });

describe('createRouter', () => {
  test('a valid JSON body reaches the handler', async () => {
    const res = await post(`/things/${ID}`, JSON.stringify({ name: 'ok' }));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ name: 'ok' });
  });

  test('malformed JSON answers 400 in the error shape', async () => {
    const res = await post(`/things/${ID}`, '{"name": ');
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe(ERROR_CODES.MALFORMED_JSON);
    expect(body.error.requestId).toBe(res.headers.get('x-request-id') ?? '');
  });

  test('a schema violation answers 422 naming each field', async () => {
    const res = await post(`/things/${ID}`, JSON.stringify({ name: 'too long', extra: 1 }));
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe(ERROR_CODES.VALIDATION_FAILED);
    expect(body.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ location: 'body', path: 'name' }),
        expect.objectContaining({ location: 'body', path: '' }),
      ]),
    );
  });

  test('a malformed path parameter answers 422 with its location', async () => {
    const res = await post('/things/not-a-uuid', JSON.stringify({ name: 'ok' }));
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.details).toEqual([expect.objectContaining({ location: 'path', path: 'id' })]);
  });

  test('a bad query parameter answers 422', async () => {
    const res = await post(`/things/${ID}?limit=0`, JSON.stringify({ name: 'ok' }));
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.details).toEqual([
      expect.objectContaining({ location: 'query', path: 'limit' }),
    ]);
  });

  test('a body that is not JSON answers 415', async () => {
    const res = await post(`/things/${ID}`, 'name=ok', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(415);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe(ERROR_CODES.UNSUPPORTED_MEDIA_TYPE);
  });

  test('an unknown path answers a JSON 404', async () => {
    const res = await buildRouter().request('/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe(ERROR_CODES.NOT_FOUND);
  });

  test('an unexpected error answers 500 without internals', async () => {
    const res = await buildRouter().request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret internal detail');
    expect(text).not.toContain('.ts:');
    expect(JSON.parse(text).error.code).toBe(ERROR_CODES.INTERNAL_ERROR);
  });
});
