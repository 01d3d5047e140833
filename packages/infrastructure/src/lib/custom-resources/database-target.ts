/**
 * Where the database handlers connect, read from their environment, and the credentials
 * secret's shape. Fetching secrets is the API's own provider (`@backend/api/secrets`),
 * bundled into each handler.
 */

/** The JSON shape RDS writes into a generated credentials secret. */
export interface DatabaseCredentials {
  readonly username: string;
  readonly password: string;
}

/** Parses the credentials secret; the message never carries the secret's content. */
export function parseDatabaseCredentials(secretString: string): DatabaseCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new Error('Database secret must be JSON with string username and password');
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<
    string,
    unknown
  >;
  const { username, password } = record;
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw new Error('Database secret must be JSON with string username and password');
  }
  return { username, password };
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
