import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MIGRATIONS_FOLDER } from '@backend/shared/migrations';
import { mockClient } from 'aws-sdk-client-mock';
import postgres from 'postgres';
import { createMigrationHandler } from '../../../src/lib/custom-resources/database-migration.handler.ts';
import {
  customResourceEvent,
  type ResponseServer,
  startResponseServer,
} from '../../helpers/cfn-server.ts';
import {
  connect,
  createThrowawayDatabase,
  DATABASE_URL,
  jobDeps,
  TEST_SECRET_ARN,
  type Throwaway,
  testSecrets,
} from '../../helpers/databases.ts';

const APP_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-db';

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
  const roles: string[] = [];

  beforeAll(async () => {
    server = await startResponseServer();
  });
  afterAll(() => server.close());
  afterEach(async () => {
    secretsManager.reset();
    await db?.drop();
    // Roles outlive databases: dropped once the database holding their grants is gone.
    for (const role of roles.splice(0)) {
      const admin = postgres(DATABASE_URL ?? '', { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop role if exists "${role}"`);
      await admin.end();
    }
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  async function run(migrationsFolder: string, app?: { username: string; password: string }) {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: TEST_SECRET_ARN })
      .resolves({ SecretString: JSON.stringify({ username: db.username, password: db.password }) });
    if (app) {
      secretsManager
        .on(GetSecretValueCommand, { SecretId: APP_SECRET_ARN })
        .resolves({ SecretString: JSON.stringify(app) });
    }
    const handler = createMigrationHandler({
      ...jobDeps(db),
      migrationsFolder,
      ...(app ? { appSecretArn: APP_SECRET_ARN } : {}),
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

    const sql = connect(db);
    const rows = await sql`select to_regclass('public.widgets') as t`;
    await sql.end();
    expect(rows[0]?.t).toBe('widgets');
  });

  test('creates the application role: rows read and written, no DDL; a second run keeps it working', async () => {
    db = await createThrowawayDatabase();
    const folder = writeMigrations([
      'create table widgets (id serial primary key, name text not null);',
    ]);
    folders.push(folder);
    const app = { username: `app_${randomBytes(4).toString('hex')}`, password: "it's a secret" };
    try {
      expect((await run(folder, app)).Status).toBe('SUCCESS');
      // Again, as every deploy that changes the migrations does (the role exists by then).
      expect((await run(folder, app)).Status).toBe('SUCCESS');
      const asApp = connect(db, app);
      try {
        await asApp`insert into widgets (name) values ('a')`;
        expect((await asApp`select count(*)::int as n from widgets`)[0]?.n).toBe(1);
        await asApp`update widgets set name = 'b'`;
        await asApp`delete from widgets`;
        for (const ddl of [
          'create table intruder (id int)',
          'drop table widgets',
          'alter table widgets add column x int',
          'select * from drizzle.__drizzle_migrations',
        ]) {
          const error = await asApp.unsafe(ddl).then(
            () => null,
            (caught: { code?: string }) => caught,
          );
          expect({ ddl, code: error?.code }).toEqual({ ddl, code: '42501' });
        }
      } finally {
        await asApp.end();
      }
    } finally {
      roles.push(app.username);
    }
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
    const sql = connect(db);
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
      target: { host: '127.0.0.1', port: 1, database: 'x', secretArn: TEST_SECRET_ARN, ssl: false },
      migrationsFolder: MIGRATIONS_FOLDER,
      secrets: testSecrets(),
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
