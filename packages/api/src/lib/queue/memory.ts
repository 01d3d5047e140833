/**
 * The in-process job queue: jobs run on this event loop with bounded concurrency and retry
 * with exponential backoff; a job that fails `maxAttempts` times (or throws
 * PermanentJobError) goes to `onDeadLetter`. Nothing survives a restart: deployed stages use SQS.
 */
import { randomUUID } from 'node:crypto';
import {
  type EnqueueOptions,
  type JobHandlers,
  type JobMessage,
  type JobQueue,
  PermanentJobError,
} from './types.ts';

export interface MemoryQueueOptions {
  readonly handlers: JobHandlers;
  /** Jobs running at once. @default 2 */
  readonly concurrency?: number;
  /** Deliveries before a job is dead-lettered. @default 3 */
  readonly maxAttempts?: number;
  /** Delay before retry n (1-based). @default 250 ms × 4^(n-1), at most 30 s */
  readonly backoffMs?: (attempt: number) => number;
  /** A job that will not be retried again, with its last error. */
  readonly onDeadLetter?: (job: JobMessage, error: unknown) => void;
}

const defaultBackoff = (attempt: number) => Math.min(250 * 4 ** (attempt - 1), 30_000);

export function createMemoryQueue(options: MemoryQueueOptions): JobQueue {
  const concurrency = options.concurrency ?? 2;
  const maxAttempts = options.maxAttempts ?? 3;
  const backoffMs = options.backoffMs ?? defaultBackoff;
  const shutdown = new AbortController();
  const waiting: Array<{ job: JobMessage; attempt: number }> = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const running = new Set<Promise<void>>();
  let closed = false;

  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const pump = () => {
    while (!closed && running.size < concurrency && waiting.length > 0) {
      const next = waiting.shift();
      if (!next) break;
      const run = deliver(next.job, next.attempt).finally(() => {
        running.delete(run);
        pump();
      });
      running.add(run);
    }
  };

  async function deliver(job: JobMessage, attempt: number) {
    try {
      await options.handlers.run(job, { attempt, signal: shutdown.signal });
    } catch (error) {
      if (error instanceof PermanentJobError || attempt >= maxAttempts || closed) {
        options.onDeadLetter?.(job, error);
        return;
      }
      later(() => {
        waiting.push({ job, attempt: attempt + 1 });
        pump();
      }, backoffMs(attempt));
    }
  }

  return {
    kind: 'memory',
    async enqueue<P>(type: string, payload: P, enqueueOptions: EnqueueOptions = {}) {
      if (closed) throw new Error('The job queue is closed');
      const job: JobMessage<P> = {
        id: enqueueOptions.id ?? randomUUID(),
        type,
        // A JSON round trip: a job sees what an SQS worker would, never a shared object.
        payload: JSON.parse(JSON.stringify(payload ?? null)) as P,
        enqueuedAt: new Date().toISOString(),
      };
      const add = () => {
        waiting.push({ job, attempt: 1 });
        pump();
      };
      if (enqueueOptions.delayMs) later(add, enqueueOptions.delayMs);
      else queueMicrotask(add);
      return job.id;
    },
    async close() {
      closed = true;
      shutdown.abort(new Error('The job queue is closing'));
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      waiting.length = 0;
      await Promise.allSettled([...running]);
    },
  };
}
