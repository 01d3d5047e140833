import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Fetches a secret's string by ARN. */
export type SecretFetcher = (secretArn: string) => Promise<string>;

/** A fetcher backed by Secrets Manager. */
export function createSecretFetcher(client: SecretsManagerClient): SecretFetcher {
  return async (secretArn) => {
    const result = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!result.SecretString) throw new Error(`Secret ${secretArn} has no string value`);
    return result.SecretString;
  };
}

/** The JSON shape RDS writes into a generated credentials secret. */
export interface DatabaseCredentials {
  readonly username: string;
  readonly password: string;
}

export function parseDatabaseCredentials(secretString: string): DatabaseCredentials {
  const parsed: unknown = JSON.parse(secretString);
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof (parsed as Record<string, unknown>).username !== 'string' ||
    typeof (parsed as Record<string, unknown>).password !== 'string'
  ) {
    throw new Error('Database secret must be JSON with string username and password');
  }
  const { username, password } = parsed as Record<string, string>;
  return { username: username as string, password: password as string };
}

/** Connection settings a handler reads from its environment. */
export interface DatabaseTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly secretArn: string;
  /** TLS is required through RDS Proxy; local tests run without it. */
  readonly ssl: boolean;
}

export function databaseTargetFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): DatabaseTarget {
  const host = env.DATABASE_HOST;
  const database = env.DATABASE_NAME;
  const secretArn = env.DATABASE_SECRET_ARN;
  if (!host || !database || !secretArn) {
    throw new Error('DATABASE_HOST, DATABASE_NAME and DATABASE_SECRET_ARN are required');
  }
  return {
    host,
    database,
    secretArn,
    port: Number(env.DATABASE_PORT ?? 5432),
    ssl: env.DATABASE_SSL !== 'disable',
  };
}
