import { afterEach, describe, expect, test } from 'bun:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { captureLogs, createTestDatabase, services } from '../../test/test-deps.ts';
import { createApp } from '../app.ts';
import { createDeps } from '../deps.ts';
import { parseEnv } from '../env.ts';
import { ERROR_CODES, type ErrorBody } from './errors.ts';
import { createSecretsProvider, SecretError, secretName } from './secrets.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-AbC123';
const sm = mockClient(SecretsManagerClient);
afterEach(() => sm.reset());
const client = () => new SecretsManagerClient({ region: 'eu-west-1' });

describe('secrets provider', () => {
  test('fetches once and reuses the value within the TTL', async () => {
    sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: 'one' });
    const secrets = createSecretsProvider({ client: client(), ttlSeconds: 60 });
    expect(await Promise.all([secrets.get(ARN), secrets.get(ARN)])).toEqual(['one', 'one']);
    expect(await secrets.get(ARN)).toBe('one');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test('picks up a rotated value once the TTL has passed', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'old' })
      .resolves({ SecretString: 'new' });
    const secrets = createSecretsProvider({ client: client(), ttlSeconds: 0 });
    expect(await secrets.get(ARN)).toBe('old');
    expect(await secrets.get(ARN)).toBe('new');
  });

  test('a fresh read skips the cache (a rotated password works at once) and falls back to it on failure', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'old' })
      .resolvesOnce({ SecretString: 'new' })
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const secrets = createSecretsProvider({ client: client(), ttlSeconds: 300 });
    expect(await secrets.get(ARN)).toBe('old');
    expect(await secrets.get(ARN)).toBe('old');
    expect(await secrets.get(ARN, { fresh: true })).toBe('new');
    // Secrets Manager failing: the last value read is still the answer.
    expect(await secrets.get(ARN, { fresh: true })).toBe('new');
    expect(await secrets.get(ARN)).toBe('new');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  test('a secret that cannot be fetched is an error naming it, never a value', async () => {
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('denied s3cr3t'), { name: 'AccessDeniedException' }),
    );
    const secrets = createSecretsProvider({ client: client() });
    const error = await secrets.get(ARN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect((error as Error).message).toBe('Could not read secret app/db (AccessDeniedException)');
    expect(secretName(ARN)).toBe('app/db');
  });

  test('a failed refresh keeps the last value and logs it without the value', async () => {
    const { logger, raw } = captureLogs();
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'kept-value' })
      .rejects(new Error('throttled'));
    const secrets = createSecretsProvider({ client: client(), ttlSeconds: 0, logger });
    expect(await secrets.get(ARN)).toBe('kept-value');
    expect(await secrets.get(ARN)).toBe('kept-value');
    expect(raw.join('\n')).toContain('secret refresh failed');
    expect(raw.join('\n')).not.toContain('kept-value');
  });

  test('JSON secrets are parsed; a malformed one is an error naming it', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"username":"app","password":"pw"}' })
      .resolves({ SecretString: 'not json' });
    const secrets = createSecretsProvider({ client: client(), ttlSeconds: 0 });
    expect(await secrets.getJson<{ username: string; password: string }>(ARN)).toEqual({
      username: 'app',
      password: 'pw',
    });
    await expect(secrets.getJson(ARN)).rejects.toThrow('Secret app/db is not JSON');
  });
});

describe('deps from secrets, as on Lambda', () => {
  const arn = (name: string) =>
    `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbC123`;

  test.skipIf(!services.databaseUrl)(
    'connects to PostgreSQL from a host and a credentials secret, and reads the auth and origin secrets',
    async () => {
      // A migrated database, reached by host and credentials as RDS Proxy is on Lambda.
      const scratch = await createTestDatabase();
      const url = new URL(scratch.url ?? '');
      sm.on(GetSecretValueCommand, { SecretId: arn('db') }).resolves({
        SecretString: JSON.stringify({
          username: decodeURIComponent(url.username || 'postgres'),
          password: '',
        }),
      });
      sm.on(GetSecretValueCommand, { SecretId: arn('auth') }).resolves({
        SecretString: 'a'.repeat(64),
      });
      sm.on(GetSecretValueCommand, { SecretId: arn('origin') }).resolves({
        SecretString: 'cloudfront-only',
      });
      const env = parseEnv({
        LOG_LEVEL: 'silent',
        PGLITE_DATA_DIR: 'memory://',
        DATABASE_HOST: url.hostname,
        DATABASE_PORT: url.port || '5432',
        DATABASE_NAME: url.pathname.slice(1),
        DATABASE_SECRET_ARN: arn('db'),
        DATABASE_SSL: 'false',
        AUTH_SECRET_ARN: arn('auth'),
        ORIGIN_VERIFY_SECRET_ARN: arn('origin'),
      });
      const deps = await createDeps(env, { secrets: createSecretsProvider({ client: client() }) });
      try {
        expect(deps.database.kind).toBe('postgres');
        const app = createApp(deps);
        const ready = await app.request('/health/ready', {
          headers: { 'x-origin-verify': 'cloudfront-only' },
        });
        expect(ready.status).toBe(200);
        const direct = await app.request('/health');
        expect(direct.status).toBe(403);
        expect(((await direct.json()) as ErrorBody).error.code).toBe(ERROR_CODES.FORBIDDEN);
        expect(direct.headers.get('x-content-type-options')).toBe('nosniff');
        expect(
          (await app.request('/health', { headers: { 'x-origin-verify': 'wrong-value-xx' } }))
            .status,
        ).toBe(403);
      } finally {
        await deps.close();
        await scratch.close();
      }
    },
  );

  test('a secret missing at cold start fails the init with its name', async () => {
    sm.on(GetSecretValueCommand).rejects(
      Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }),
    );
    const env = parseEnv({
      LOG_LEVEL: 'silent',
      PGLITE_DATA_DIR: 'memory://',
      AUTH_SECRET_ARN: arn('auth'),
    });
    await expect(
      createDeps(env, { secrets: createSecretsProvider({ client: client() }) }),
    ).rejects.toThrow('Could not read secret auth (ResourceNotFoundException)');
  });
});
