/**
 * Applies the committed drizzle-kit migrations on deploy. Idempotent: drizzle records
 * applied migrations in `drizzle.__drizzle_migrations` and skips them; a failing
 * migration answers FAILED, which fails (and rolls back) the deployment.
 */
import { createSecretsProvider, type SecretsProvider } from '@backend/api/secrets';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import {
  type CustomResourceHandler,
  createCustomResourceHandler,
  lazyCustomResourceHandler,
  type ResponseSender,
} from './cfn-response.ts';
import {
  type DatabaseTarget,
  databaseTargetFromEnv,
  parseDatabaseCredentials,
} from './database-target.ts';

export const MIGRATION_PHYSICAL_ID = 'database-migrations';

export interface MigrationHandlerDeps {
  readonly target: DatabaseTarget;
  readonly migrationsFolder: string;
  /** Reads the credentials secret (the API's Secrets Manager provider). */
  readonly secrets: SecretsProvider;
  /** @default sendCfnResponse */
  readonly sendResponse?: ResponseSender;
}

/** Opens one short-lived connection (prepare off: RDS Proxy would pin it). */
export async function openDatabase(target: DatabaseTarget, secrets: SecretsProvider) {
  const credentials = parseDatabaseCredentials(await secrets.get(target.secretArn));
  return postgres({
    host: target.host,
    port: target.port,
    database: target.database,
    username: credentials.username,
    password: credentials.password,
    // The proxy's certificate is verified (ACM-issued, trusted by Node), not only encrypted.
    ssl: target.ssl ? ('verify-full' as const) : false,
    max: 1,
    prepare: false,
    connect_timeout: 10,
    onnotice: () => {},
  });
}

export function createMigrationHandler(deps: MigrationHandlerDeps): CustomResourceHandler {
  return createCustomResourceHandler({
    physicalResourceId: MIGRATION_PHYSICAL_ID,
    sendResponse: deps.sendResponse,
    onCreateOrUpdate: async () => {
      const sql = await openDatabase(deps.target, deps.secrets);
      try {
        await migrate(drizzle(sql), { migrationsFolder: deps.migrationsFolder });
        const rows = await sql<{ count: number }[]>`
          select count(*)::int as count from drizzle.__drizzle_migrations`;
        return { data: { AppliedMigrations: rows[0]?.count ?? 0 } };
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
  });
}

/**
 * The Lambda entry. Its configuration is read from the environment on first use, inside the
 * error handling: a missing or malformed setting answers FAILED at once.
 */
export const handler: CustomResourceHandler = lazyCustomResourceHandler(MIGRATION_PHYSICAL_ID, () =>
  createMigrationHandler({
    target: databaseTargetFromEnv(process.env),
    migrationsFolder: `${process.env.LAMBDA_TASK_ROOT ?? '.'}/migrations`,
    secrets: createSecretsProvider(),
  }),
);
