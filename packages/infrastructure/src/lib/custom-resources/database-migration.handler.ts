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
  /** Where to connect, as the owner (the cluster's credentials secret). */
  readonly target: DatabaseTarget;
  /**
   * The application role's credentials secret: after the migrations, the role is created (or
   * its password set) and granted data access to the schema's tables, nothing more.
   * @default - no application role (local tests)
   */
  readonly appSecretArn?: string;
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

/** The schema the migrations create their tables in (drizzle's own stays the owner's). */
export const APP_SCHEMA = 'public';

/**
 * Creates the application role (or sets its password to the secret's) and grants it what the
 * app does at runtime: read and write rows, use sequences. No DDL, no `drizzle` schema, no
 * role administration. Statements are built by PostgreSQL's `format` (%I, %L), so names and
 * the password are quoted by the server.
 */
export async function ensureAppRole(
  sql: postgres.Sql,
  app: { readonly username: string; readonly password: string },
  database: string,
): Promise<void> {
  const run = async (template: string, ...args: string[]) => {
    const [row] = await sql<{ statement: string }[]>`
      select format(${template}, variadic ${sql.array(args)}::text[]) as statement`;
    if (!row) throw new Error('format returned nothing');
    await sql.unsafe(row.statement);
  };
  const [exists] = await sql`select 1 from pg_roles where rolname = ${app.username}`;
  await run(
    exists
      ? 'alter role %I with login nosuperuser nocreatedb nocreaterole password %L'
      : 'create role %I with login nosuperuser nocreatedb nocreaterole password %L',
    app.username,
    app.password,
  );
  const owner = (await sql<{ owner: string }[]>`select current_user as owner`)[0]?.owner ?? '';
  await run('grant connect on database %I to %I', database, app.username);
  await run('grant usage on schema %I to %I', APP_SCHEMA, app.username);
  await run(
    'grant select, insert, update, delete on all tables in schema %I to %I',
    APP_SCHEMA,
    app.username,
  );
  await run(
    'grant usage, select, update on all sequences in schema %I to %I',
    APP_SCHEMA,
    app.username,
  );
  // Tables a later migration creates are granted too (the handler also re-grants each run).
  await run(
    'alter default privileges for role %I in schema %I grant select, insert, update, delete on tables to %I',
    owner,
    APP_SCHEMA,
    app.username,
  );
  await run(
    'alter default privileges for role %I in schema %I grant usage, select, update on sequences to %I',
    owner,
    APP_SCHEMA,
    app.username,
  );
}

export function createMigrationHandler(deps: MigrationHandlerDeps): CustomResourceHandler {
  return createCustomResourceHandler({
    physicalResourceId: MIGRATION_PHYSICAL_ID,
    sendResponse: deps.sendResponse,
    onCreateOrUpdate: async () => {
      const sql = await openDatabase(deps.target, deps.secrets);
      try {
        await migrate(drizzle(sql), { migrationsFolder: deps.migrationsFolder });
        if (deps.appSecretArn) {
          const app = parseDatabaseCredentials(await deps.secrets.get(deps.appSecretArn));
          await ensureAppRole(sql, app, deps.target.database);
        }
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
    appSecretArn: process.env.APP_DATABASE_SECRET_ARN,
    secrets: createSecretsProvider(),
  }),
);
