import { describe, expect, test } from 'bun:test';
import {
  databaseTargetFromEnv,
  parseDatabaseCredentials,
} from '../../../src/lib/custom-resources/database-target.ts';

describe('database target', () => {
  test('parses the credentials RDS writes into its generated secret', () => {
    expect(parseDatabaseCredentials('{"username":"u","password":"p","engine":"postgres"}')).toEqual(
      { username: 'u', password: 'p' },
    );
  });

  test('rejects credentials without a password, or not JSON, without echoing them', () => {
    expect(() => parseDatabaseCredentials('{"username":"u"}')).toThrow('username and password');
    let message = '';
    try {
      parseDatabaseCredentials('hunter2-not-json');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('must be JSON');
    expect(message).not.toContain('hunter2');
  });

  test('requires host, name and secret, and defaults to TLS', () => {
    expect(() => databaseTargetFromEnv({})).toThrow('DATABASE_HOST');
    expect(
      databaseTargetFromEnv({ DATABASE_HOST: 'h', DATABASE_NAME: 'n', DATABASE_SECRET_ARN: 'a' }),
    ).toEqual({ host: 'h', port: 5432, database: 'n', secretArn: 'a', ssl: true });
    expect(
      databaseTargetFromEnv({
        DATABASE_HOST: 'h',
        DATABASE_NAME: 'n',
        DATABASE_SECRET_ARN: 'a',
        DATABASE_SSL: 'disable',
      }).ssl,
    ).toBe(false);
  });
});
