/**
 * Seeds the data a fresh non-production stage needs to be explored (a demo user).
 * Idempotent: every insert is `on conflict do nothing`. Runs after the migrations.
 */
import { createSecretsProvider, type SecretsProvider } from '@backend/api/secrets';
import {
  type CustomResourceHandler,
  createCustomResourceHandler,
  lazyCustomResourceHandler,
  type ResponseSender,
} from './cfn-response.ts';
import { openDatabase } from './database-migration.handler.ts';
import { type DatabaseTarget, databaseTargetFromEnv } from './database-target.ts';

export const SEED_PHYSICAL_ID = 'seed-data';

/** A user row as seeded (Better Auth's `user` table). */
export interface SeedUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

export interface SeedHandlerDeps {
  readonly target: DatabaseTarget;
  /** Reads the credentials secret (the API's Secrets Manager provider). */
  readonly secrets: SecretsProvider;
  /** @default sendCfnResponse */
  readonly sendResponse?: ResponseSender;
}

function parseUsers(value: unknown): SeedUser[] {
  if (!Array.isArray(value)) throw new Error('Users must be a list');
  return value.map((item) => {
    const user = item as Record<string, unknown>;
    if (
      typeof user.id !== 'string' ||
      typeof user.name !== 'string' ||
      typeof user.email !== 'string'
    ) {
      throw new Error('Each seed user needs string id, name and email');
    }
    return { id: user.id, name: user.name, email: user.email };
  });
}

export function createSeedHandler(deps: SeedHandlerDeps): CustomResourceHandler {
  return createCustomResourceHandler({
    physicalResourceId: SEED_PHYSICAL_ID,
    sendResponse: deps.sendResponse,
    onCreateOrUpdate: async (event) => {
      const users = parseUsers(event.ResourceProperties.Users ?? []);
      const sql = await openDatabase(deps.target, deps.secrets);
      try {
        let inserted = 0;
        await sql.begin(async (tx) => {
          for (const user of users) {
            const result = await tx`
              insert into "user" (id, name, email, email_verified)
              values (${user.id}, ${user.name}, ${user.email}, false)
              on conflict do nothing`;
            inserted += result.count;
          }
        });
        return { data: { InsertedUsers: inserted } };
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
export const handler: CustomResourceHandler = lazyCustomResourceHandler(SEED_PHYSICAL_ID, () =>
  createSeedHandler({
    target: databaseTargetFromEnv(process.env),
    secrets: createSecretsProvider(),
  }),
);
