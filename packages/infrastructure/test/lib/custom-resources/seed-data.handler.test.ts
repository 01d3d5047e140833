import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MIGRATIONS_FOLDER } from '@backend/shared/migrations';
import { mockClient } from 'aws-sdk-client-mock';
import { createMigrationHandler } from '../../../src/lib/custom-resources/database-migration.handler.ts';
import { createSeedHandler } from '../../../src/lib/custom-resources/seed-data.handler.ts';
import {
  customResourceEvent,
  type ResponseServer,
  startResponseServer,
} from '../../helpers/cfn-server.ts';
import {
  createThrowawayDatabase,
  DATABASE_URL,
  jobDeps,
  type Throwaway,
} from '../../helpers/databases.ts';

describe.skipIf(!DATABASE_URL)('seed data handler (real PostgreSQL)', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  let server: ResponseServer;
  let db: Throwaway;

  beforeAll(async () => {
    server = await startResponseServer();
    db = await createThrowawayDatabase();
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ username: db.username, password: db.password }) });
    const migrated = await createMigrationHandler({
      ...jobDeps(db),
      migrationsFolder: MIGRATIONS_FOLDER,
    })(customResourceEvent({ ResponseURL: server.url }));
    expect(migrated.Status).toBe('SUCCESS');
  });
  afterAll(async () => {
    await db?.drop();
    await server.close();
  });
  afterEach(() => {});

  const seed = () => createSeedHandler(jobDeps(db));
  const users = [{ id: 'seed-demo-user', name: 'Demo User', email: 'demo@example.com' }];

  test('inserts the users once; a second run inserts nothing', async () => {
    const first = await seed()(
      customResourceEvent({
        ResponseURL: server.url,
        ResourceProperties: { ServiceToken: 'x', Users: users },
      }),
    );
    expect(first).toMatchObject({ Status: 'SUCCESS', Data: { InsertedUsers: 1 } });
    const second = await seed()(
      customResourceEvent({
        ResponseURL: server.url,
        ResourceProperties: { ServiceToken: 'x', Users: users },
      }),
    );
    expect(second).toMatchObject({ Status: 'SUCCESS', Data: { InsertedUsers: 0 } });
  });

  test('malformed users answer FAILED', async () => {
    const response = await seed()(
      customResourceEvent({
        ResponseURL: server.url,
        ResourceProperties: { ServiceToken: 'x', Users: [{ id: 1 }] },
      }),
    );
    expect(response.Status).toBe('FAILED');
    expect(server.received.at(-1)?.body).toMatchObject({ Status: 'FAILED' });
  });
});
