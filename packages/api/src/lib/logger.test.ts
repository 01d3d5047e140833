import { describe, expect, test } from 'bun:test';
import { captureLogs } from '../../test/test-deps.ts';
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

  test('every key on the redaction list is redacted wherever it appears', () => {
    const { logger, raw } = captureLogs();
    const spellings = [
      'authorization',
      'Authorization',
      'proxy-authorization',
      'cookie',
      'Cookie',
      'set-cookie',
      'Set-Cookie',
      'password',
      'newPassword',
      'current_password',
      'token',
      'accessToken',
      'refresh_token',
      'idToken',
      'sessionToken',
      'apiKey',
      'api_key',
      'API-KEY',
      'x-api-key',
      'secret',
      'clientSecret',
      'client_secret',
      'x-origin-verify',
    ];
    const values = spellings.map((key, i) => [key, `leak-${i}-${key.length}-zz`] as const);
    const record = Object.fromEntries(values);
    const error = Object.assign(new Error('failed'), record);
    logger.child({ bound: record, ...record }).warn('everywhere', {
      ...record,
      nested: { deeper: { list: [record, { again: record }] } },
      headers: new Headers(values.filter(([key]) => /^[a-z-]+$/i.test(key)) as [string, string][]),
      err: error,
    });
    const output = raw.join('\n');
    for (const [, value] of values) expect(output).not.toContain(value);
    expect(output.split('[REDACTED]').length).toBeGreaterThan(values.length * 4);
  });

  test('a lazy binding is read when a line is written; undefined leaves the field out', () => {
    const { logger, lines } = captureLogs();
    let userId: string | undefined;
    const child = logger.child({ requestId: 'r-2', userId: () => userId });
    child.info('before');
    userId = 'user-1';
    child.info('after');
    expect(lines[0]).not.toHaveProperty('userId');
    expect(lines[1]).toMatchObject({ requestId: 'r-2', userId: 'user-1' });
  });

  test('a Lambda context adds the Lambda request id and the cold-start flag to every line', () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ write: (line) => lines.push(JSON.parse(line)) });
    const child = logger.child({ requestId: 'r-3' });
    logger.addLambdaContext({ awsRequestId: 'aws-1', functionName: 'api' }, true);
    child.info('first');
    logger.addLambdaContext({ awsRequestId: 'aws-2', functionName: 'api' }, false);
    child.info('second');
    expect(lines.map((line) => [line.requestId, line.lambdaRequestId, line.coldStart])).toEqual([
      ['r-3', 'aws-1', true],
      ['r-3', 'aws-2', false],
    ]);
  });

  test('silent writes nothing', () => {
    const written: string[] = [];
    const logger = createLogger({ level: 'silent', write: (line) => written.push(line) });
    logger.error('nothing');
    expect(written).toEqual([]);
  });

  test('a value that cannot be serialized, or an output that fails, never throws', () => {
    const { logger, lines } = captureLogs();
    const hostile = {
      get boom() {
        throw new Error('getter');
      },
    };
    expect(() => logger.info('hostile', { hostile, big: 10n })).not.toThrow();
    expect(() => logger.child({ lazy: () => hostile.boom }).info('lazy')).not.toThrow();
    logger.info('after');
    expect(lines.at(-1)?.message).toBe('after');
    const broken = createLogger({
      write: () => {
        throw new Error('stdout closed');
      },
    });
    expect(() => broken.error('lost')).not.toThrow();
  });

  test('errors are serialized with name and message', () => {
    const { logger, lines } = captureLogs();
    logger.error('failed', { err: new TypeError('boom') });
    expect(lines[0]?.err).toMatchObject({ name: 'TypeError', message: 'boom' });
  });
});
