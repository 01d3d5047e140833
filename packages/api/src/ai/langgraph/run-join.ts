/**
 * Joining a run from any container: its stored events after a `Last-Event-ID`, then each new
 * one as it is stored, until the run has ended and every event is read.
 */
import type { LangGraphStore, LgRun, StoredEvent } from './store.ts';
import { LAST_SEQ } from './store.ts';

const TERMINAL = new Set(['success', 'error', 'timeout', 'interrupted']);

export interface RunJoinOptions {
  store: Pick<LangGraphStore, 'eventsAfter' | 'findRun'>;
  /** How often a follower looks for new events (at most every 100 ms). */
  pollMs: number;
}

export function createRunJoin({ store, pollMs }: RunJoinOptions) {
  /**
   * The run's stored events after `afterSeq`, then each new one until the run has ended
   * and every event is read. An id of another run or beyond the end replays nothing more.
   */
  async function* join(run: LgRun, afterSeq: number, signal: AbortSignal) {
    let last = afterSeq;
    while (!signal.aborted) {
      const events: StoredEvent[] = await store.eventsAfter(run.id, last);
      for (const event of events) {
        last = event.seq;
        yield event;
      }
      if (events.length > 0) continue;
      const current = await store.findRun(run.userId, run.threadId, run.id);
      if (!current || TERMINAL.has(current.status)) {
        // Anything stored between the last read and the end.
        for (const event of await store.eventsAfter(run.id, last)) {
          last = event.seq;
          yield event;
        }
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, 100)));
    }
  }

  return {
    join,
    /** Resolves once the run has ended (or `signal` aborts). */
    async waitFor(run: LgRun, signal: AbortSignal): Promise<void> {
      for await (const _ of join(run, LAST_SEQ, signal)) {
        // Nothing: only the end matters.
      }
    },
  };
}

export type RunJoin = ReturnType<typeof createRunJoin>;
