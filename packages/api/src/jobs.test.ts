/**
 * The registered jobs on the worker's path: the API queues a background LangGraph run on SQS,
 * and the worker's batch runs it from the message, as the worker function does on AWS. A run
 * whose worker died mid-run ends failed when its message comes back, never `running`.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { lgRuns } from '@backend/shared/schema';
import { mockClient } from 'aws-sdk-client-mock';
import { eq } from 'drizzle-orm';
import { signUp } from '../test/accounts.ts';
import { SDK_VERSIONS, sdkClient } from '../test/langgraph.ts';
import { sqsEvent } from '../test/sqs-events.ts';
import { useTestApp } from '../test/test-app.ts';
import { LANGGRAPH_RUN_JOB } from './ai/langgraph/jobs.ts';
import { runSqsBatch } from './lib/queue/sqs-batch.ts';

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const t = useTestApp({
  env: {
    JOBS_QUEUE_URL: 'https://sqs.us-east-2.amazonaws.com/123456789012/jobs',
    AWS_REGION: 'us-east-2',
    AI_LOCAL_TOKEN_DELAY_MS: '0',
    LANGGRAPH_POLL_MS: '20',
  },
});

const human = (content: string) => ({ messages: [{ type: 'human', content }] });

/** The bodies the API sent to the queue so far. */
const sentBodies = () =>
  sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input.MessageBody ?? '');

/** One delivery of `bodies` to the worker, as the n-th receive of each. */
const deliver = (bodies: string[], receiveCount = 1) =>
  runSqsBatch(sqsEvent(bodies.map((body) => ({ body, receiveCount }))), {
    handlers: t.deps.jobs.handlers,
    logger: t.deps.logger,
    remainingMs: () => 60_000,
  });

const runStatus = async (runId: string) => {
  const [row] = await t.deps.database.db.select().from(lgRuns).where(eq(lgRuns.id, runId));
  return row?.status;
};

async function backgroundRun() {
  const user = await signUp(t.app, t.deps);
  const client = sdkClient(SDK_VERSIONS[0].Client, t.app, user);
  const thread = await client.threads.create();
  const run = await client.runs.create(thread.thread_id, 'chat', { input: human('hello') });
  return { client, thread, run };
}

describe('a background LangGraph run on the SQS queue', () => {
  test('the API sends one langgraph.run message; the worker runs it once, a duplicate does nothing', async () => {
    const { client, thread, run } = await backgroundRun();
    const bodies = sentBodies();
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0] ?? '')).toMatchObject({
      type: LANGGRAPH_RUN_JOB,
      payload: { runId: run.run_id, threadId: thread.thread_id },
    });
    expect(await runStatus(run.run_id)).toBe('pending');
    // Waiting in the queue, it holds the thread until its queued deadline (hours), not the
    // execution lease: a backlog or a retry's backoff does not fail it.
    const [queued] = await t.deps.database.db
      .select()
      .from(lgRuns)
      .where(eq(lgRuns.id, run.run_id));
    expect((queued?.leaseUntil?.getTime() ?? 0) - Date.now()).toBeGreaterThan(60 * 60_000);

    expect(await deliver(bodies)).toEqual({ batchItemFailures: [] });
    expect(await runStatus(run.run_id)).toBe('success');
    const state = await client.threads.getState(thread.thread_id);
    const messages = (state.values as { messages: Array<{ type: string }> }).messages;
    expect(messages.map((message) => message.type)).toEqual(['human', 'ai']);

    // SQS delivers at least once: the same message again leaves the finished run alone.
    expect(await deliver(bodies, 2)).toEqual({ batchItemFailures: [] });
    expect(await runStatus(run.run_id)).toBe('success');
    const again = await client.threads.getState(thread.thread_id);
    expect((again.values as { messages: unknown[] }).messages).toHaveLength(2);
  }, 20_000);

  test('a run whose job could not be sent fails at once and frees its thread', async () => {
    const user = await signUp(t.app, t.deps);
    const client = sdkClient(SDK_VERSIONS[0].Client, t.app, user);
    const thread = await client.threads.create();
    sqs.on(SendMessageCommand).rejects(new Error('SQS is unavailable'));
    const response = await t.app.request(`/api/langgraph/threads/${thread.thread_id}/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ assistant_id: 'chat', input: human('hello') }),
    });
    expect(response.status).toBeGreaterThanOrEqual(500);
    const runs = await client.runs.list(thread.thread_id);
    expect(runs.map((run) => run.status)).toEqual(['error']);
    // Not held until the queued deadline: the thread takes a new run now.
    const next = await client.runs.wait(thread.thread_id, 'chat', { input: human('again') });
    expect((next as { messages: Array<{ type: string }> }).messages.map((m) => m.type)).toEqual([
      'human',
      'ai',
    ]);
  }, 20_000);

  test('a run whose worker died mid-run is marked failed by the redelivered message; the thread takes a new run', async () => {
    const { client, thread, run } = await backgroundRun();
    const bodies = sentBodies();
    // The first worker took the message, marked the run running, then vanished: its lease
    // passed, and SQS makes the message visible again after the visibility timeout.
    await t.deps.database.db
      .update(lgRuns)
      .set({ status: 'running', leaseUntil: new Date(Date.now() - 1_000) })
      .where(eq(lgRuns.id, run.run_id));

    expect(await deliver(bodies, 2)).toEqual({ batchItemFailures: [] });
    expect(await runStatus(run.run_id)).toBe('error');
    // The dead run wrote nothing to the thread; the new one answers.
    const next = await client.runs.wait(thread.thread_id, 'chat', { input: human('again') });
    expect((next as { messages: Array<{ type: string }> }).messages.map((m) => m.type)).toEqual([
      'human',
      'ai',
    ]);
  }, 20_000);
});
