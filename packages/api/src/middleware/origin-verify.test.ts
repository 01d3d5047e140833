import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { ERROR_CODES, type ErrorBody, notFound, onError } from '../lib/errors.ts';
import type { AppBindings } from '../lib/types.ts';
import {
  ORIGIN_VERIFY_HEADER,
  originVerify,
  parseOriginVerifySecret,
  VIEWER_AUTHORIZATION_HEADER,
} from './origin-verify.ts';

/** An app behind the check whose stored secret can be changed, as an operator rotates it. */
function appWithSecret(initial: string) {
  let stored = initial;
  const app = new Hono<AppBindings>();
  app.use(requestId());
  app.use(originVerify({ values: async () => parseOriginVerifySecret(stored) }));
  app.get('/whoami', (c) =>
    c.json({
      authorization: c.req.header('authorization') ?? null,
      moved: c.req.header(VIEWER_AUTHORIZATION_HEADER) ?? null,
    }),
  );
  app.notFound(notFound);
  app.onError(onError);
  return {
    app,
    rotate: (next: string) => {
      stored = next;
    },
  };
}

const call = (app: Hono<AppBindings>, headers: Record<string, string> = {}) =>
  app.request('/whoami', { headers });

describe('originVerify', () => {
  test('a request without the header, or with a wrong or empty one, answers 403 in the error shape', async () => {
    const { app } = appWithSecret(JSON.stringify({ current: 'a'.repeat(64) }));
    const cases: Record<string, string>[] = [
      {},
      { [ORIGIN_VERIFY_HEADER]: 'b'.repeat(64) },
      { [ORIGIN_VERIFY_HEADER]: '' },
    ];
    for (const headers of cases) {
      const response = await call(app, headers);
      expect(response.status).toBe(403);
      expect(((await response.json()) as ErrorBody).error.code).toBe(ERROR_CODES.FORBIDDEN);
    }
  });

  test('while the secret rotates, the current and the previous value are both accepted; afterwards only the new one', async () => {
    const old = 'o'.repeat(64);
    const next = 'n'.repeat(64);
    const { app, rotate } = appWithSecret(JSON.stringify({ current: old }));
    expect((await call(app, { [ORIGIN_VERIFY_HEADER]: old })).status).toBe(200);
    expect((await call(app, { [ORIGIN_VERIFY_HEADER]: next })).status).toBe(403);
    rotate(JSON.stringify({ current: next, previous: old }));
    // CloudFront still sends the old value until the edge stack is deployed again.
    expect((await call(app, { [ORIGIN_VERIFY_HEADER]: old })).status).toBe(200);
    expect((await call(app, { [ORIGIN_VERIFY_HEADER]: next })).status).toBe(200);
    rotate(JSON.stringify({ current: next }));
    expect((await call(app, { [ORIGIN_VERIFY_HEADER]: old })).status).toBe(403);
    expect((await call(app, { [ORIGIN_VERIFY_HEADER]: next })).status).toBe(200);
  });

  test('a plain-string secret is one accepted value; an empty or value-less secret accepts nothing', () => {
    expect(parseOriginVerifySecret('plain-value')).toEqual(['plain-value']);
    expect(parseOriginVerifySecret(JSON.stringify({ current: 'c', previous: 'p' }))).toEqual([
      'c',
      'p',
    ]);
    expect(parseOriginVerifySecret('')).toEqual([]);
    expect(parseOriginVerifySecret(JSON.stringify({ current: '' }))).toEqual([]);
    expect(parseOriginVerifySecret(JSON.stringify({ other: 'x' }))).toEqual([]);
  });

  test('behind the edge signer, the viewer’s Authorization is put back from x-viewer-authorization', async () => {
    const value = 'v'.repeat(64);
    const { app } = appWithSecret(value);
    const response = await call(app, {
      [ORIGIN_VERIFY_HEADER]: value,
      // What CloudFront's OAC signature left in Authorization, and the viewer's moved aside.
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261205/eu-west-1/lambda/aws4_request',
      [VIEWER_AUTHORIZATION_HEADER]: 'Bearer session-token',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ authorization: 'Bearer session-token', moved: null });
  });

  test('x-viewer-authorization on a request that fails the check changes nothing: 403', async () => {
    const { app } = appWithSecret('v'.repeat(64));
    const response = await call(app, { [VIEWER_AUTHORIZATION_HEADER]: 'Bearer stolen' });
    expect(response.status).toBe(403);
  });
});
