/**
 * A rotated database password does not break new connections: the pool reads the secret
 * afresh for each new connection, so a process started before the rotation (its secrets cache
 * still holding the old password) presents the new one.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createServer, type Server } from 'node:net';
import { parseEnv } from '../../env.ts';
import { createLogger } from '../logger.ts';
import type { SecretReadOptions, SecretsProvider } from '../secrets.ts';
import { createDatabase } from './index.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-AbC123';

/** Secrets Manager as the app sees it: a cache filled at cold start, and the stored value. */
function rotatingSecret(username: string, initial: string) {
  let stored = initial;
  let cached = initial;
  const read = (options?: SecretReadOptions) => {
    if (options?.fresh) cached = stored;
    return JSON.stringify({ username, password: cached });
  };
  const provider: SecretsProvider = {
    get: async (_arn, options) => read(options),
    getJson: async <T>(_arn: string, options?: SecretReadOptions) => JSON.parse(read(options)) as T,
  };
  return {
    provider,
    rotate: (next: string) => {
      stored = next;
    },
  };
}

/**
 * A PostgreSQL server that asks every connection for a cleartext password (as RDS Proxy checks
 * one) and records what it is given, then hangs up.
 */
let server: Server;
let port = 0;
const presented: string[] = [];
beforeAll(async () => {
  server = createServer((socket) => {
    socket.on('error', () => {});
    let startup = true;
    socket.on('data', (data: Buffer) => {
      if (startup) {
        startup = false;
        // AuthenticationCleartextPassword: 'R', length 8, code 3.
        const ask = Buffer.alloc(9);
        ask.write('R', 0);
        ask.writeInt32BE(8, 1);
        ask.writeInt32BE(3, 5);
        socket.write(ask);
        return;
      }
      // PasswordMessage: 'p', length, the password NUL-terminated.
      if (data.toString('latin1', 0, 1) === 'p') {
        presented.push(data.toString('utf8', 5, data.indexOf(Buffer.from([0]), 5)));
      }
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => server.close());

describe('database credentials rotation', () => {
  test('after the password rotates, a new connection of a running process presents the new one', async () => {
    const secret = rotatingSecret('app_user', 'before-rotation');
    const env = parseEnv({
      LOG_LEVEL: 'silent',
      PGLITE_DATA_DIR: 'memory://',
      DATABASE_HOST: '127.0.0.1',
      DATABASE_PORT: String(port),
      DATABASE_NAME: 'app',
      DATABASE_SECRET_ARN: ARN,
      DATABASE_SSL: 'false',
    });
    // Cold start: the deps read the secret (and cache it) before any connection exists.
    const database = await createDatabase(env, createLogger({ level: 'silent' }), secret.provider);
    try {
      secret.rotate('after-rotation');
      // The stand-in hangs up after the password: the query never answers, and need not.
      void database.ping().catch(() => {});
      for (let waited = 0; presented.length === 0 && waited < 5_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(presented.length).toBeGreaterThan(0);
      expect(new Set(presented)).toEqual(new Set(['after-rotation']));
    } finally {
      await database.close();
    }
  });
});
