import { describe, expect, test } from 'bun:test';
import { captureLogs } from '../test/test-deps.ts';
import { createLogger } from './logger.ts';

describe('logger', () => {
  test('writes one JSON object per line with level, time, message and bindings', () => {
    const { logger, lines } = captureLogs();
    logger.child({ requestId: 'r-1' }).info('hello', { status: 200 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      message: 'hello',
      requestId: 'r-1',
      status: 200,
    });
    expect(typeof lines[0]?.time).toBe('string');
  });

  test('sensitive values never reach the output, at any depth or spelling', () => {
    const { logger, raw } = captureLogs();
    const secrets = ['hunter2-password', 'Bearer tok-123', 'sess=abc', 'sk-live-999', 'ak_1'];
    logger.info('sign-in', {
      password: secrets[0],
      headers: { Authorization: secrets[1], cookie: secrets[2], 'Set-Cookie': [secrets[2]] },
      nested: {
        deeper: { client_secret: secrets[3], 'x-api-key': secrets[4], apiKey: secrets[4] },
      },
    });
    const output = raw.join('\n');
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).toContain('[REDACTED]');
  });

  test('lines below the level are dropped', () => {
    const written: string[] = [];
    const logger = createLogger({ level: 'warn', write: (line) => written.push(line) });
    logger.info('quiet');
    logger.warn('loud');
    expect(written).toHaveLength(1);
  });

  test('query parameters in database errors never reach the output; the cause does', () => {
    const { logger, raw, lines } = captureLogs();
    const cause = new Error('relation "session" does not exist');
    const error = new Error(
      'Failed query: select * from "session" where "token" = $1\nparams: tok-secret-123,a@b.example',
      {
        cause,
      },
    );
    error.stack = `Error: ${error.message}\n    at query (db.ts:1:1)`;
    logger.error('failed', { err: error });
    expect(raw.join('')).not.toContain('tok-secret-123');
    expect(raw.join('')).not.toContain('a@b.example');
    expect(lines[0]?.err).toMatchObject({
      message: 'Failed query: select * from "session" where "token" = $1\nparams: [REDACTED]',
      cause: { message: 'relation "session" does not exist' },
    });
  });

  test('errors are serialized with name and message', () => {
    const { logger, lines } = captureLogs();
    logger.error('failed', { err: new TypeError('boom') });
    expect(lines[0]?.err).toMatchObject({ name: 'TypeError', message: 'boom' });
  });
});
