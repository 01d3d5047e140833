/**
 * The `CheckpointSaverTestInitializer` of DrizzleCheckpointSaver for
 * `@langchain/langgraph-checkpoint-validation`: one test database for the run, emptied
 * before each checkpointer the suite asks for. The default export serves the
 * `validate-checkpointer` CLI (`just ai validate-checkpointer`).
 */
import { aiCheckpoints, aiCheckpointWrites } from '@backend/shared/schema';
import type { CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { DrizzleCheckpointSaver } from '../../src/ai/checkpointer/checkpointer.ts';
import type { DatabaseClient } from '../../src/lib/db/index.ts';
import { createTestDatabase } from '../test-deps.ts';

export function createCheckpointerInitializer(): CheckpointSaverTestInitializer<DrizzleCheckpointSaver> {
  let database: DatabaseClient | undefined;
  const empty = async () => {
    if (!database) throw new Error('the test database is not ready');
    await database.db.delete(aiCheckpointWrites);
    await database.db.delete(aiCheckpoints);
  };
  return {
    checkpointerName: 'DrizzleCheckpointSaver',
    beforeAllTimeout: 60_000,
    async beforeAll() {
      database = await createTestDatabase();
    },
    async afterAll() {
      await database?.close();
    },
    async createCheckpointer() {
      await empty();
      if (!database) throw new Error('the test database is not ready');
      return new DrizzleCheckpointSaver(database.db);
    },
    async destroyCheckpointer() {
      await empty();
    },
  };
}

export default createCheckpointerInitializer();
