/** Throwaway databases on the PostgreSQL named by DATABASE_URL. */
import { randomBytes } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSecretsProvider } from '@backend/api/secrets';
import postgres from 'postgres';

export const DATABASE_URL = process.env.DATABASE_URL;

export interface Throwaway {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  drop(): Promise<void>;
}

export async function createThrowawayDatabase(): Promise<Throwaway> {
  if (!DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const url = new URL(DATABASE_URL);
  const name = `infra_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  return {
    name,
    host: url.hostname,
    port: Number(url.port || 5432),
    username: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
    async drop() {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/** The credentials secret the database jobs read in tests (its value is mocked). */
export const TEST_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db';

/** A secrets provider on a fresh Secrets Manager client (which `aws-sdk-client-mock` answers). */
export const testSecrets = () =>
  createSecretsProvider({ client: new SecretsManagerClient({ region: 'eu-west-1' }) });

/** What a database job needs to reach `db` over plain TCP, its credentials in `TEST_SECRET_ARN`. */
export function jobDeps(db: Throwaway) {
  return {
    target: {
      host: db.host,
      port: db.port,
      database: db.name,
      secretArn: TEST_SECRET_ARN,
      ssl: false,
    },
    secrets: testSecrets(),
  };
}

/** A one-connection client on `db`, as its owner unless `as` names another role. */
export function connect(db: Throwaway, as?: { username: string; password: string }) {
  return postgres({
    host: db.host,
    port: db.port,
    database: db.name,
    username: as?.username ?? db.username,
    ...(as ? { password: as.password } : {}),
    max: 1,
    onnotice: () => {},
  });
}
