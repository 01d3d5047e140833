/**
 * The job-queue contract: work that outlives a request (background runs, file ingestion).
 * Locally an in-process queue runs jobs on this event loop; on AWS an SQS queue (with a
 * dead-letter queue) feeds a worker function built from the same code. Adapters import this.
 */

/** A job as it travels: serialisable JSON, the same shape in memory and in an SQS body. */
export interface JobMessage<P = unknown> {
  /** Unique per job; a handler must be idempotent for it (a job can be delivered twice). */
  readonly id: string;
  /** Which handler runs it, e.g. `langgraph.run` or `files.ingest`. */
  readonly type: string;
  readonly payload: P;
  /** When it was first queued (ISO 8601). */
  readonly enqueuedAt: string;
}

export interface EnqueueOptions {
  /** A caller-chosen id (deduplication, tracing); default a random UUID. */
  readonly id?: string;
  /** Wait this long before the first delivery; default 0. */
  readonly delayMs?: number;
}

export interface JobQueue {
  readonly kind: 'memory' | 'sqs';
  /** Accept a job; resolves with its id once the queue holds it durably (for SQS: sent). */
  enqueue<P>(type: string, payload: P, options?: EnqueueOptions): Promise<string>;
  /** Stop taking jobs and wait for the running ones (the in-process queue) or do nothing. */
  close(): Promise<void>;
}

export interface JobContext {
  /** 1 on the first delivery. */
  readonly attempt: number;
  /** Aborted when the worker shuts down or its invocation is about to run out. */
  readonly signal: AbortSignal;
}

export type JobHandler<P = unknown> = (payload: P, context: JobContext) => Promise<void>;

/** Thrown by a handler for a job that can never succeed: no retry, straight to dead letters. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

/** Handlers by job type. The API and the worker register the same ones. */
export class JobHandlers {
  readonly #handlers = new Map<string, JobHandler>();

  register<P>(type: string, handler: JobHandler<P>): this {
    if (this.#handlers.has(type)) throw new Error(`A handler for ${type} is already registered`);
    this.#handlers.set(type, handler as JobHandler);
    return this;
  }

  /** Run one delivery of a job; an unknown type is a permanent failure. */
  async run(job: JobMessage, context: JobContext): Promise<void> {
    const handler = this.#handlers.get(job.type);
    if (!handler) throw new PermanentJobError(`No handler for job type ${job.type}`);
    await handler(job.payload, context);
  }
}
