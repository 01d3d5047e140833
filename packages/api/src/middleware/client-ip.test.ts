import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import type { AppBindings } from '../lib/types.ts';
import { clientIp, parseViewerAddress } from './client-ip.ts';

function app(trustedHeader?: string) {
  const router = new Hono<AppBindings>();
  router.use(clientIp({ trustedHeader }));
  router.get('/', (c) => c.text(c.get('clientIp')));
  return router;
}

describe('parseViewerAddress', () => {
  test('reads CloudFront-Viewer-Address (address, then the port after the last colon)', () => {
    expect(parseViewerAddress('198.51.100.10:46532')).toBe('198.51.100.10');
    expect(parseViewerAddress('2001:db8:85a3::8a2e:370:7334:46532')).toBe(
      '2001:db8:85a3::8a2e:370:7334',
    );
    expect(parseViewerAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
  });

  test('refuses what is not an address', () => {
    expect(parseViewerAddress('<script>:1')).toBeNull();
    expect(parseViewerAddress('')).toBeNull();
    expect(parseViewerAddress('evil.example:80')).toBeNull();
  });
});

describe('clientIp', () => {
  test('takes the configured trusted header, never X-Forwarded-For', async () => {
    const response = await app('cloudfront-viewer-address').request('/', {
      headers: { 'cloudfront-viewer-address': '203.0.113.9:1000', 'x-forwarded-for': '10.0.0.1' },
    });
    expect(await response.text()).toBe('203.0.113.9');
  });

  test('ignores every header when none is configured', async () => {
    const response = await app().request('/', {
      headers: {
        'cloudfront-viewer-address': '203.0.113.9:1000',
        'x-forwarded-for': '10.0.0.1',
        'x-real-ip': '10.0.0.2',
      },
    });
    expect(await response.text()).toBe('unknown');
  });

  test('falls back to the Lambda event’s source address', async () => {
    const response = await app('cloudfront-viewer-address').request(
      '/',
      {},
      {
        event: { requestContext: { http: { sourceIp: '192.0.2.44' } } },
      },
    );
    expect(await response.text()).toBe('192.0.2.44');
  });
});
