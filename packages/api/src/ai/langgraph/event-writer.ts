/**
 * The ordered write-behind buffer of a run's events: `push` never waits for the database;
 * whatever arrived while the previous insert ran goes in the next one, so a fast stream costs
 * a few statements, not one per event, and rows are written in sequence order.
 */
import type { Logger } from '../../lib/logger.ts';
import type { LangGraphStore, StoredEvent } from './store.ts';

/** Events per insert statement at most. */
const BATCH = 500;

export interface EventWriter {
  push(event: StoredEvent): void;
  /** Resolves once every event pushed so far is stored (or its insert has failed and is logged). */
  flush(): Promise<void>;
}

export function createEventWriter(
  store: Pick<LangGraphStore, 'appendEvents'>,
  runId: string,
  logger: Logger,
): EventWriter {
  const queued: StoredEvent[] = [];
  let draining: Promise<void> | null = null;

  async function drain() {
    while (queued.length > 0) {
      const batch = queued.splice(0, BATCH);
      await store.appendEvents(runId, batch).catch((error: unknown) => {
        logger.error('storing run events failed', { err: error, runId });
      });
    }
    draining = null;
  }

  return {
    push(event) {
      queued.push(event);
      draining ??= drain();
    },
    async flush() {
      while (draining) await draining;
    },
  };
}
