/** The data the cross-stack benchmarks share: one database, a signed-in user, 20 chats. */
import { randomBytes } from 'node:crypto';
import { createApp } from '../packages/api/src/app.ts';
import { createDeps } from '../packages/api/src/deps.ts';
import { parseEnv } from '../packages/api/src/env.ts';
import { signUp } from '../packages/api/test/accounts.ts';
import { createTestDatabase } from '../packages/api/test/test-deps.ts';

export interface BenchDatabase {
  /** The fresh PostgreSQL database's URL. */
  url: string;
  /** The Better Auth secret the bearer token is signed with. */
  secret: string;
  /** The user's signed session token, for `Authorization: Bearer`. */
  bearer: string;
  /** Drops the database. */
  close(): Promise<void>;
}

/** A fresh, migrated PostgreSQL database (DATABASE_URL) with a user who has 20 chats. */
export async function prepareDatabase(): Promise<BenchDatabase> {
  const secret = randomBytes(32).toString('hex');
  const database = await createTestDatabase();
  if (!database.url) throw new Error('the benchmark needs DATABASE_URL (PostgreSQL)');
  const env = parseEnv({
    STAGE: 'local',
    LOG_LEVEL: 'silent',
    DATABASE_URL: database.url,
    BETTER_AUTH_SECRET: secret,
  });
  const deps = await createDeps(env, { database });
  const app = createApp(deps);
  const user = await signUp(app, deps);
  for (let i = 0; i < 20; i++) {
    await app.request('/api/chats', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.bearer}` },
      body: JSON.stringify({ title: `Chat ${i}` }),
    });
  }
  return { url: database.url, secret, bearer: user.bearer, close: () => database.close() };
}
