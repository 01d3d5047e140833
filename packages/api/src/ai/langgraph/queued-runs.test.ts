/**
 * A background run between its creation and its worker: its wait in the job queue is bounded
 * by a deadline of its own, not by the execution lease; the worker claims it once; a run whose
 * worker died frees its thread in thread search and reads.
 */
import { describe, expect, test } from 'bun:test';
import { lgRuns } from '@backend/shared/schema';
import { eq } from 'drizzle-orm';
import { signUp } from '../../../test/accounts.ts';
import { SDK_VERSIONS, sdkClient } from '../../../test/langgraph.ts';
import { useTestApp } from '../../../test/test-app.ts';
import { createMemoryQueue } from '../../lib/queue/memory.ts';
import { JobHandlers } from '../../lib/queue/types.ts';
import { loadAiRuntime } from '../runtime/load.ts';
import { findAssistant } from './assistants.ts';
import { LANGGRAPH_RUN_JOB, type LangGraphRunJob } from './jobs.ts';
import { createLangGraphService } from './langgraph.service.ts';
import type { RunCreate } from './schemas.ts';

const t = useTestApp({ env: { AI_LOCAL_TOKEN_DELAY_MS: '2', LANGGRAPH_POLL_MS: '20' } });

const human = (content: string) => ({ messages: [{ type: 'human', content }] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The LangGraph services over the test app's runtime, with leases of the test's choosing. */
async function serviceWith(leases: { leaseMs: number; queuedRunTtlMs?: number }) {
  const runtime = await loadAiRuntime(t.deps);
  return createLangGraphService({
    db: t.deps.database.db,
    checkpointer: runtime.checkpointer,
    models: runtime.models,
    usage: runtime.usage,
    runConfig: runtime.runConfig,
    logger: t.deps.logger,
    fetchAllowedHosts: runtime.env.AI_FETCH_ALLOWED_HOSTS,
    fetchTimeoutMs: runtime.env.AI_FETCH_TIMEOUT_MS,
    pollMs: 20,
    flush: async () => {},
    ...leases,
  });
}

type Service = Awaited<ReturnType<typeof serviceWith>>;

/** A user's thread with a background run of the chat graph on it, not yet taken by a worker. */
async function queuedRun(service: Service) {
  const user = await signUp(t.app, t.deps);
  const thread = await service.threads.create(user.id, {});
  const assistant = findAssistant('chat');
  if (!thread || !assistant) throw new Error('no thread or assistant');
  const body = { assistant_id: 'chat', input: human('hello') } as RunCreate;
  const created = await service.runs.create(user.id, thread.thread_id, assistant, body, false);
  if (!created) throw new Error('no run');
  const job: LangGraphRunJob = {
    runId: created.run.id,
    threadId: thread.thread_id,
    userId: user.id,
    requestId: null,
  };
  return { user, threadId: thread.thread_id, run: created.run, job };
}

const runRow = async (runId: string) => {
  const [row] = await t.deps.database.db.select().from(lgRuns).where(eq(lgRuns.id, runId));
  return row;
};

/** Waits (at most 10 s) until the run has ended; its final status. */
async function ended(runId: string) {
  for (let tries = 0; tries < 500; tries++) {
    const status = (await runRow(runId))?.status;
    if (status !== 'pending' && status !== 'running') return status;
    await sleep(20);
  }
  throw new Error('the run did not end');
}

const messageTypes = async (service: Service, userId: string, threadId: string) => {
  const thread = await service.threads.get(userId, threadId);
  const values = thread?.values as { messages?: Array<{ type: string }> } | null | undefined;
  return values?.messages?.map((message) => message.type);
};

describe('a background run waiting in the job queue', () => {
  test('a job delivered after more than the execution lease has passed still runs the run to success', async () => {
    const service = await serviceWith({ leaseMs: 100 });
    const { user, threadId, run, job } = await queuedRun(service);
    const handlers = new JobHandlers().register<LangGraphRunJob>(LANGGRAPH_RUN_JOB, (payload, c) =>
      service.executor.executeQueued(payload, c.signal),
    );
    // The queue holds the job for three leases (a backlog, a delayed send, a retry's backoff).
    const queue = createMemoryQueue({ handlers });
    try {
      await queue.enqueue(LANGGRAPH_RUN_JOB, job, { delayMs: 300 });
      await sleep(200);
      // Reads meanwhile expire dead runs; a queued one is not dead.
      expect((await service.runs.get(user.id, threadId, run.id))?.status).toBe('pending');
      expect((await service.threads.get(user.id, threadId))?.status).toBe('busy');
      expect(await ended(run.id)).toBe('success');
    } finally {
      await queue.close();
    }
    expect((await service.threads.get(user.id, threadId))?.status).toBe('idle');
    expect(await messageTypes(service, user.id, threadId)).toEqual(['human', 'ai']);
  }, 20_000);

  test('a run whose queued deadline passed before a worker took it fails; the job does nothing', async () => {
    const service = await serviceWith({ leaseMs: 5_000, queuedRunTtlMs: 50 });
    const { user, threadId, run, job } = await queuedRun(service);
    await sleep(120);
    await service.executor.executeQueued(job, new AbortController().signal);
    expect((await runRow(run.id))?.status).toBe('error');
    expect((await service.threads.get(user.id, threadId))?.status).toBe('error');
    expect(await messageTypes(service, user.id, threadId)).toBeUndefined();
  }, 20_000);

  test('a second delivery of a job whose run is executing does nothing; the run ends once', async () => {
    const service = await serviceWith({ leaseMs: 5_000 });
    const { user, threadId, run, job } = await queuedRun(service);
    const signal = new AbortController().signal;
    const first = service.executor.executeQueued(job, signal);
    while ((await runRow(run.id))?.status === 'pending') await sleep(5);
    await service.executor.executeQueued(job, signal);
    await first;
    expect((await runRow(run.id))?.status).toBe('success');
    expect(await messageTypes(service, user.id, threadId)).toEqual(['human', 'ai']);
    // And once more after it ended.
    await service.executor.executeQueued(job, signal);
    expect((await runRow(run.id))?.status).toBe('success');
    expect(await messageTypes(service, user.id, threadId)).toEqual(['human', 'ai']);
  }, 20_000);
});

describe('a thread whose run’s worker died', () => {
  /** A thread whose run a worker took, then vanished: its lease passed, nobody read its runs. */
  async function deadRun() {
    const service = await serviceWith({ leaseMs: 5_000 });
    const queued = await queuedRun(service);
    await t.deps.database.db
      .update(lgRuns)
      .set({ status: 'running', leaseUntil: new Date(Date.now() - 1_000) })
      .where(eq(lgRuns.id, queued.run.id));
    return { ...queued, client: sdkClient(SDK_VERSIONS[0].Client, t.app, queued.user) };
  }

  test('thread search shows it no longer busy once the lease has passed', async () => {
    const { client, threadId, run } = await deadRun();
    expect(await client.threads.search({ status: 'busy' })).toEqual([]);
    const [found] = await client.threads.search();
    expect(found?.thread_id).toBe(threadId);
    expect(found?.status).toBe('error');
    expect((await runRow(run.id))?.status).toBe('error');
  }, 20_000);

  test('a read of the thread shows it no longer busy once the lease has passed', async () => {
    const { client, threadId, run } = await deadRun();
    expect((await client.threads.get(threadId)).status).toBe('error');
    expect((await runRow(run.id))?.status).toBe('error');
  }, 20_000);

  test('a live run keeps its thread busy in search', async () => {
    const { client, threadId } = await deadRun().then(async (dead) => {
      await t.deps.database.db
        .update(lgRuns)
        .set({ leaseUntil: new Date(Date.now() + 60_000) })
        .where(eq(lgRuns.id, dead.run.id));
      return dead;
    });
    const [found] = await client.threads.search({ status: 'busy' });
    expect(found?.thread_id).toBe(threadId);
  }, 20_000);
});
