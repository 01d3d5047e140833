import { afterEach, describe, expect, test } from 'bun:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createSecretFetcher,
  databaseTargetFromEnv,
  parseDatabaseCredentials,
} from '../../../src/lib/custom-resources/secrets.ts';

const secretsManager = mockClient(SecretsManagerClient);
afterEach(() => secretsManager.reset());

describe('secrets', () => {
  test('fetches the secret string by ARN', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'arn:db' })
      .resolves({ SecretString: '{"username":"u","password":"p"}' });
    const fetch = createSecretFetcher(new SecretsManagerClient({ region: 'eu-west-1' }));
    expect(parseDatabaseCredentials(await fetch('arn:db'))).toEqual({
      username: 'u',
      password: 'p',
    });
  });

  test('rejects a secret without a string value', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({});
    const fetch = createSecretFetcher(new SecretsManagerClient({ region: 'eu-west-1' }));
    await expect(fetch('arn:empty')).rejects.toThrow('has no string value');
  });

  test('rejects credentials without a password', () => {
    expect(() => parseDatabaseCredentials('{"username":"u"}')).toThrow('username and password');
  });

  test('database target requires host, name and secret, and defaults to TLS', () => {
    expect(() => databaseTargetFromEnv({})).toThrow('DATABASE_HOST');
    expect(
      databaseTargetFromEnv({ DATABASE_HOST: 'h', DATABASE_NAME: 'n', DATABASE_SECRET_ARN: 'a' }),
    ).toEqual({ host: 'h', port: 5432, database: 'n', secretArn: 'a', ssl: true });
  });
});
