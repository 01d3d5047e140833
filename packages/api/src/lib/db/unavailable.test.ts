import { describe, expect, test } from 'bun:test';
import { isDatabaseUnavailable } from './unavailable.ts';

const withCode = (code: string) => Object.assign(new Error('failed'), { code });

describe('isDatabaseUnavailable', () => {
  test('recognises refused, lost and timed-out connections, also wrapped in a cause', () => {
    for (const code of ['ECONNREFUSED', 'CONNECTION_CLOSED', 'CONNECT_TIMEOUT', 'ECONNRESET'])
      expect(isDatabaseUnavailable(withCode(code))).toBe(true);
    const wrapped = new Error('Failed query: insert …', { cause: withCode('ECONNREFUSED') });
    expect(isDatabaseUnavailable(wrapped)).toBe(true);
  });

  test('recognises a server shutting down, starting up, out of connections or unreachable behind a pooler', () => {
    for (const code of ['57P01', '57P03', '53300', '08006', '08P01'])
      expect(isDatabaseUnavailable(withCode(code))).toBe(true);
  });

  test('a query that is wrong is not an outage', () => {
    for (const code of ['23505', '22021', '42P01', '40001'])
      expect(isDatabaseUnavailable(withCode(code))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});
