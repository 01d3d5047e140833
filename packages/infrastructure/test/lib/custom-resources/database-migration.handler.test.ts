import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSecretsProvider } from '@backend/api/secrets';
import { MIGRATIONS_FOLDER } from '@backend/shared/migrations';
import { mockClient } from 'aws-sdk-client-mock';
import postgres from 'postgres';
import { createMigrationHandler } from '../../../src/lib/custom-resources/database-migration.handler.ts';
import {
  customResourceEvent,
  type ResponseServer,
  startResponseServer,
} from '../../helpers/cfn-server.ts';
import { createThrowawayDatabase, DATABASE_URL, type Throwaway } from '../../helpers/databases.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db';

/** A drizzle-kit shaped folder with the given SQL migrations. */
function writeMigrations(statements: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  mkdirSync(join(dir, 'meta'));
  const entries = statements.map((sql, idx) => {
    const tag = `000${idx}_step`;
    writeFileSync(join(dir, `${tag}.sql`), sql);
    return { idx, version: '7', when: 1700000000000 + idx, tag, breakpoints: true };
  });
  writeFileSync(
    join(dir, 'meta', '_journal.json'),
    JSON.stringify({ version: '7', dialect: 'postgresql', entries }),
  );
  return dir;
}

// One mock for the whole file: a second `mockClient` of the same class would replace this one.
const secretsManager = mockClient(SecretsManagerClient);

describe.skipIf(!DATABASE_URL)('database migration handler (real PostgreSQL)', () => {
  let server: ResponseServer;
  let db: Throwaway;
  const folders: string[] = [];

  beforeAll(async () => {
    server = await startResponseServer();
  });
  afterAll(() => server.close());
  afterEach(async () => {
    secretsManager.reset();
    await db?.drop();
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  async function run(migrationsFolder: string) {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
      .resolves({ SecretString: JSON.stringify({ username: db.username, password: db.password }) });
    const handler = createMigrationHandler({
      target: {
        host: db.host,
        port: db.port,
        database: db.name,
        secretArn: SECRET_ARN,
        ssl: false,
      },
      migrationsFolder,
      secrets: createSecretsProvider({
        client: new SecretsManagerClient({ region: 'eu-west-1' }),
      }),
    });
    return handler(customResourceEvent({ ResponseURL: server.url }));
  }

  test('applies migrations, answers SUCCESS, and is idempotent on a second run', async () => {
    db = await createThrowawayDatabase();
    const folder = writeMigrations([
      'create table widgets (id serial primary key, name text not null);',
    ]);
    folders.push(folder);

    const first = await run(folder);
    expect(first.Status).toBe('SUCCESS');
    expect(server.received.at(-1)?.body).toMatchObject({
      Status: 'SUCCESS',
      Data: { AppliedMigrations: 1 },
    });

    const second = await run(folder);
    expect(second).toMatchObject({ Status: 'SUCCESS', Data: { AppliedMigrations: 1 } });

    const sql = postgres({
      host: db.host,
      port: db.port,
      database: db.name,
      username: db.username,
      max: 1,
    });
    const rows = await sql`select to_regclass('public.widgets') as t`;
    await sql.end();
    expect(rows[0]?.t).toBe('widgets');
  });

  test('a failing migration answers FAILED (failing the deployment) with the database error', async () => {
    db = await createThrowawayDatabase();
    const folder = writeMigrations(['create table broken (id serial primary key;']);
    folders.push(folder);
    const response = await run(folder);
    expect(response.Status).toBe('FAILED');
    expect(server.received.at(-1)?.body).toMatchObject({ Status: 'FAILED' });
    expect(String(server.received.at(-1)?.body.Reason)).toContain('syntax error');
  });

  test('applies the committed drizzle-kit migrations of packages/shared', async () => {
    if (!existsSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'))) return;
    db = await createThrowawayDatabase();
    const response = await run(MIGRATIONS_FOLDER);
    expect(response.Status).toBe('SUCCESS');
    const sql = postgres({
      host: db.host,
      port: db.port,
      database: db.name,
      username: db.username,
      max: 1,
    });
    const rows = await sql`select to_regclass('public.user') as t`;
    await sql.end();
    expect(rows[0]?.t).toBe('"user"');
  });
});

describe('database migration handler (no database needed)', () => {
  let server: ResponseServer;
  beforeAll(async () => {
    server = await startResponseServer();
  });
  afterAll(() => server.close());
  afterEach(() => secretsManager.reset());

  const handler = () =>
    createMigrationHandler({
      target: { host: '127.0.0.1', port: 1, database: 'x', secretArn: SECRET_ARN, ssl: false },
      migrationsFolder: MIGRATIONS_FOLDER,
      secrets: createSecretsProvider({
        client: new SecretsManagerClient({ region: 'eu-west-1' }),
      }),
    });

  test('an unreadable credentials secret fails the deployment, naming the secret', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
    const response = await handler()(customResourceEvent({ ResponseURL: server.url }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('Could not read secret db');
  });

  test('a malformed credentials secret fails the deployment without echoing it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"password":"s3cr3t"}' });
    const response = await handler()(customResourceEvent({ ResponseURL: server.url }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('username and password');
    expect(JSON.stringify(server.received.at(-1)?.body)).not.toContain('s3cr3t');
  });
});
