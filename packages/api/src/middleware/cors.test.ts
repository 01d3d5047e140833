import { describe, expect, test } from 'bun:test';
import { useTestApp } from '../../test/test-app.ts';

const ALLOWED = 'https://app.example';
const PUBLIC_ORIGIN = 'http://localhost:3000';
const EVIL = 'https://evil.example';

const t = useTestApp({ env: { ALLOWED_ORIGINS: ALLOWED } });

const listOf = (value: string | null) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);

const preflight = (origin: string) =>
  t.app.request('/api/chats', {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-api-key',
    },
  });

describe('CORS', () => {
  test('an allowed origin gets its origin, credentials and Vary: Origin', async () => {
    const response = await t.app.request('/health', { headers: { origin: ALLOWED } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(listOf(response.headers.get('vary'))).toContain('origin');
  });

  test('a cross-origin LangGraph client may send Last-Event-ID and read Content-Location and Location', async () => {
    const response = await t.app.request('/api/langgraph/threads', {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'last-event-id,x-api-key',
      },
    });
    expect(response.status).toBe(204);
    expect(listOf(response.headers.get('access-control-allow-headers'))).toContain('last-event-id');
    const simple = await t.app.request('/health', { headers: { origin: ALLOWED } });
    const exposed = listOf(simple.headers.get('access-control-expose-headers'));
    expect(exposed).toContain('content-location');
    expect(exposed).toContain('location');
  });

  test("PUBLIC_URL's own origin is allowed too", async () => {
    expect(t.deps.env.PUBLIC_URL).toBe(PUBLIC_ORIGIN);
    const response = await t.app.request('/health', { headers: { origin: PUBLIC_ORIGIN } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(PUBLIC_ORIGIN);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });

  test('a preflight from an allowed origin answers 204 with the methods, headers and max age', async () => {
    const response = await preflight(ALLOWED);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(listOf(response.headers.get('access-control-allow-methods'))).toEqual(
      expect.arrayContaining(['post', 'patch', 'delete']),
    );
    expect(listOf(response.headers.get('access-control-allow-headers'))).toEqual(
      expect.arrayContaining(['content-type', 'x-api-key']),
    );
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(listOf(response.headers.get('vary'))).toContain('origin');
  });

  test('a disallowed origin gets no Access-Control-Allow-Origin on a request or a preflight', async () => {
    const response = await t.app.request('/health', { headers: { origin: EVIL } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();

    const preflighted = await preflight(EVIL);
    expect(preflighted.headers.get('access-control-allow-origin')).toBeNull();
  });

  // Fails today: Hono's cors sets Allow-Credentials whenever `credentials: true`, whatever the
  // origin, and cors.ts passes it unconditionally (its own doc says "no CORS header at all").
  test('a disallowed origin gets no Access-Control-Allow-Credentials on a request or a preflight', async () => {
    const response = await t.app.request('/health', { headers: { origin: EVIL } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();

    const preflighted = await preflight(EVIL);
    expect(preflighted.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
