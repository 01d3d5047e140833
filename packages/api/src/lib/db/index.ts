/**
 * The database: PostgreSQL through postgres.js when `DATABASE_URL` is set, otherwise an
 * embedded PGlite persisted on disk. Both speak the same Drizzle API.
 */
import * as schema from '@backend/shared/tables';
import { sql } from 'drizzle-orm';
import type { Env } from '../../env.ts';
import type { Logger } from '../logger.ts';
import { type Tracing, tracePostgres } from '../observability/tracing.ts';
import type { SecretsProvider } from '../secrets.ts';
import { preparingClient } from './prepared.ts';
import type { Database, DatabaseClient } from './types.ts';

export type { Database, DatabaseClient, Schema } from './types.ts';
export { rowsOf } from './types.ts';

/** Where to connect: a URL, or host parts with a password read on every new connection. */
export type PostgresTarget =
  | { url: string }
  | {
      host: string;
      port: number;
      database: string;
      username: string;
      /** Called for each new connection, so a rotated password is picked up. */
      password: () => Promise<string>;
      /**
       * TLS, required by RDS Proxy, with the server's certificate verified against the host
       * name. RDS Proxy presents an ACM certificate (Amazon Root CA, in Node's own trust store),
       * so no RDS CA bundle is needed (docs/deploying.md).
       */
      ssl: boolean;
    };

export interface PostgresOptions {
  primary: PostgresTarget;
  reader?: PostgresTarget;
  /** Connections per pool. */
  max: number;
  /** Prepared statements; off behind RDS Proxy, where they pin connections. */
  prepare: boolean;
  applicationName?: string;
  /** Traces every query when switched on. @default off */
  tracing?: Tracing;
}

/** A postgres.js pool per URL. Nothing connects until the first query. */
export async function createPostgresDatabase(options: PostgresOptions): Promise<DatabaseClient> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const connect = (target: PostgresTarget) => {
    const common = {
      max: options.max,
      prepare: options.prepare,
      idle_timeout: 60,
      connect_timeout: 5,
      // Seconds before a lost connection is tried again; queries wait that long. The default
      // grows to 20 s, so in an outage every request would wait for its timeout instead of
      // failing fast with a 503. Capped at half a second.
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
      max_lifetime: 60 * 30,
      connection: { application_name: options.applicationName ?? 'api' },
      onnotice: () => {},
    };
    if ('url' in target) return postgres(target.url, common);
    return postgres({
      ...common,
      host: target.host,
      port: target.port,
      database: target.database,
      username: target.username,
      password: target.password,
      // 'require' would encrypt without checking who answers; 'verify-full' checks the chain
      // and that the certificate names the host.
      ssl: target.ssl ? ('verify-full' as const) : false,
    });
  };
  const primary = connect(options.primary);
  const replica = options.reader ? connect(options.reader) : undefined;
  const driverOf = <T extends typeof primary>(client: T) => {
    const prepared = options.prepare ? preparingClient(client) : client;
    return options.tracing ? tracePostgres(prepared, options.tracing) : prepared;
  };
  const db = drizzle(driverOf(primary), { schema });
  const reader = replica ? drizzle(driverOf(replica), { schema }) : db;
  return {
    kind: 'postgres',
    db,
    reader,
    async ping() {
      await primary`select 1`;
    },
    async close() {
      await Promise.all([primary.end({ timeout: 5 }), replica?.end({ timeout: 5 })]);
    },
  };
}

/** The credentials secret of an RDS database (or its proxy). */
interface DatabaseSecret {
  username: string;
  password: string;
}

export function createDatabase(
  env: Env,
  logger: Logger,
  secrets?: SecretsProvider,
  tracing?: Tracing,
): Promise<DatabaseClient> {
  const common = {
    max: env.DATABASE_POOL_MAX,
    prepare: env.DATABASE_PREPARE,
    applicationName: `api-${env.STAGE}`,
    tracing,
  };
  if (env.DATABASE_URL) {
    return createPostgresDatabase({
      ...common,
      primary: { url: env.DATABASE_URL },
      reader: env.DATABASE_READER_URL ? { url: env.DATABASE_READER_URL } : undefined,
    });
  }
  if (env.DATABASE_HOST && env.DATABASE_SECRET_ARN && secrets) {
    const arn = env.DATABASE_SECRET_ARN;
    return secrets.getJson<DatabaseSecret>(arn).then(({ username }) => {
      const target = (host: string) => ({
        host,
        port: env.DATABASE_PORT,
        database: env.DATABASE_NAME,
        username,
        // Read fresh for each new connection (rare: the pool keeps its one or two), so a
        // rotated password works at once instead of after the secrets cache expires.
        password: async () =>
          (await secrets.getJson<DatabaseSecret>(arn, { fresh: true })).password,
        ssl: env.DATABASE_SSL ?? true,
      });
      return createPostgresDatabase({
        ...common,
        primary: target(env.DATABASE_HOST ?? ''),
        reader: env.DATABASE_READER_HOST ? target(env.DATABASE_READER_HOST) : undefined,
      });
    });
  }
  // Loaded only here, so the Lambda bundle (which leaves PGlite out) never needs it.
  return import('./embedded.ts').then(({ createEmbeddedDatabase }) =>
    createEmbeddedDatabase({
      dataDir: env.PGLITE_DATA_DIR,
      migrationsFolder: env.MIGRATIONS_DIR,
      logger,
    }),
  );
}

/** `select 1` through Drizzle, for callers that hold only a `Database`. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.execute(sql`select 1`);
}
