/**
 * TLS to the database verifies the server's certificate: a server presenting a certificate
 * no trusted authority signed is refused during the handshake, before any credential is sent.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { createPostgresDatabase } from './index.ts';

/** A stand-in for a database behind TLS with a self-signed certificate for `localhost`. */
let server: Server;
let port = 0;
let sentCredentials = false;
const dir = mkdtempSync(join(tmpdir(), 'db-tls-'));

beforeAll(async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const key = readFileSync(join(dir, 'key.pem'));
  const cert = readFileSync(join(dir, 'cert.pem'));
  server = createServer((socket) => {
    socket.on('error', () => {});
    // The client's SSLRequest (8 bytes): answer 'S', then speak TLS.
    socket.once('data', () => {
      socket.write('S');
      const secure = new TLSSocket(socket, { isServer: true, key, cert });
      secure.on('error', () => {});
      // Anything after the handshake is the startup message with the user name.
      secure.on('data', () => {
        sentCredentials = true;
        secure.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('database TLS', () => {
  test('a server whose certificate is not trusted is refused before any credential is sent', async () => {
    const database = await createPostgresDatabase({
      primary: {
        host: 'localhost',
        port,
        database: 'app',
        username: 'app_user',
        password: async () => 'not-sent',
        ssl: true,
      },
      max: 1,
      prepare: false,
    });
    try {
      const error = await database.ping().then(
        () => null,
        (caught: unknown) => caught as { code?: string; message?: string },
      );
      expect(error).not.toBeNull();
      expect(`${error?.code} ${error?.message}`).toMatch(/SELF_SIGNED|self[- ]signed/i);
      expect(sentCredentials).toBe(false);
    } finally {
      await database.close();
    }
  });
});
