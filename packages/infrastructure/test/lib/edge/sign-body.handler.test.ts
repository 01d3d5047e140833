/**
 * The edge signer against CloudFront's origin-request event, as AWS documents it (Lambda@Edge
 * event structure, origin request example, with the `includeBody` body fields; shaped after the
 * `cloudfront-request.json` test data of the public aws-lambda-go repository, Apache-2.0).
 */
import { describe, expect, test } from 'bun:test';
import { createHash } from 'node:crypto';
import type {
  CloudFrontRequest,
  CloudFrontRequestEvent,
  CloudFrontResultResponse,
} from 'aws-lambda';
import { ERROR_CODES } from '../../../../api/src/lib/errors.ts';
import {
  CONTENT_SHA256_HEADER,
  EDGE_BODY_LIMIT_BYTES,
  handler,
  VIEWER_AUTHORIZATION_HEADER,
} from '../../../src/lib/edge/sign-body.handler.ts';
import fixture from '../../fixtures/cloudfront-origin-request.json' with { type: 'json' };

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** The fixture with the request changed for the case under test (a deep copy). */
function originRequest(change: (request: CloudFrontRequest) => void = () => {}) {
  const event = structuredClone(fixture) as unknown as CloudFrontRequestEvent;
  const request = event.Records[0]?.cf.request;
  if (!request) throw new Error('fixture without a request');
  change(request);
  return event;
}

async function signed(event: CloudFrontRequestEvent): Promise<CloudFrontRequest> {
  const result = await handler(event);
  if (!result || 'status' in result)
    throw new Error(`expected a request, got ${JSON.stringify(result)}`);
  return result as CloudFrontRequest;
}

describe('edge signer (origin request)', () => {
  test('a base64 body (as includeBody delivers it) is hashed as its decoded bytes', async () => {
    const request = await signed(originRequest());
    const decoded = Buffer.from(fixture.Records[0]?.cf.request.body.data ?? '', 'base64');
    expect(request.headers[CONTENT_SHA256_HEADER]).toEqual([
      { key: CONTENT_SHA256_HEADER, value: sha256(decoded) },
    ]);
    // The body goes on untouched: read-only, same bytes.
    expect(request.body).toEqual(fixture.Records[0]?.cf.request.body as CloudFrontRequest['body']);
    expect(request.uri).toBe('/api/ai/chat');
  });

  test('a text body is hashed as its UTF-8 bytes (a prompt with non-ASCII text)', async () => {
    const text = JSON.stringify({ message: 'Grüße, 你好 — 8 000 characters later…' });
    const request = await signed(
      originRequest((r) => {
        r.body = { action: 'read-only', encoding: 'text', data: text, inputTruncated: false };
      }),
    );
    expect(request.headers[CONTENT_SHA256_HEADER]?.[0]?.value).toBe(
      sha256(Buffer.from(text, 'utf8')),
    );
  });

  test('a binary body survives base64 exactly (no text round trip)', async () => {
    const bytes = Buffer.from([0, 255, 128, 10, 13, 0xc3, 0x28]);
    const request = await signed(
      originRequest((r) => {
        r.body = {
          action: 'read-only',
          encoding: 'base64',
          data: bytes.toString('base64'),
          inputTruncated: false,
        };
      }),
    );
    expect(request.headers[CONTENT_SHA256_HEADER]?.[0]?.value).toBe(sha256(bytes));
  });

  test('a GET without a body carries the hash of the empty payload', async () => {
    const request = await signed(
      originRequest((r) => {
        (r as { method: string }).method = 'GET';
        delete r.body;
      }),
    );
    expect(request.headers[CONTENT_SHA256_HEADER]?.[0]?.value).toBe(sha256(''));
  });

  test('a viewer’s own x-amz-content-sha256 is replaced by the real hash', async () => {
    const request = await signed(
      originRequest((r) => {
        r.headers[CONTENT_SHA256_HEADER] = [
          { key: 'X-Amz-Content-Sha256', value: 'UNSIGNED-PAYLOAD' },
        ];
      }),
    );
    expect(request.headers[CONTENT_SHA256_HEADER]).toHaveLength(1);
    expect(request.headers[CONTENT_SHA256_HEADER]?.[0]?.value).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the viewer’s Authorization moves aside (the OAC signature takes that header); a forged copy is dropped', async () => {
    const request = await signed(
      originRequest((r) => {
        r.headers.authorization = [{ key: 'Authorization', value: 'Bearer session-token' }];
        r.headers[VIEWER_AUTHORIZATION_HEADER] = [
          { key: 'X-Viewer-Authorization', value: 'forged' },
        ];
      }),
    );
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers[VIEWER_AUTHORIZATION_HEADER]).toEqual([
      { key: VIEWER_AUTHORIZATION_HEADER, value: 'Bearer session-token' },
    ]);
    const anonymous = await signed(
      originRequest((r) => {
        r.headers[VIEWER_AUTHORIZATION_HEADER] = [
          { key: 'X-Viewer-Authorization', value: 'forged' },
        ];
      }),
    );
    expect(anonymous.headers[VIEWER_AUTHORIZATION_HEADER]).toBeUndefined();
  });

  test('a body over 1 MB (inputTruncated) is refused with 413 in the app’s error shape', async () => {
    const result = (await handler(
      originRequest((r) => {
        r.body = {
          action: 'read-only',
          encoding: 'base64',
          data: Buffer.alloc(EDGE_BODY_LIMIT_BYTES, 97).toString('base64'),
          inputTruncated: true,
        };
      }),
    )) as CloudFrontResultResponse;
    expect(result.status).toBe('413');
    expect(result.headers?.['content-type']?.[0]?.value).toBe('application/json');
    const body = JSON.parse(result.body ?? '{}');
    expect(body.error).toEqual({
      code: ERROR_CODES.PAYLOAD_TOO_LARGE,
      message: `The request body exceeds ${EDGE_BODY_LIMIT_BYTES} bytes`,
      requestId: fixture.Records[0]?.cf.config.requestId,
      details: { maxBytes: EDGE_BODY_LIMIT_BYTES },
    });
  });
});
