/**
 * The worker entry bundled exactly as the CDK bundles it, loaded under Node and invoked with
 * SQS events of the documented shape, as the Lambda runtime invokes an SQS-triggered function.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { MIGRATIONS_FOLDER } from '@backend/shared/migrations';
import { type BundledWorker, bundleWorkerForTest } from '../test/lambda.ts';
import { S3_TEST_EVENT_BODY, s3NotificationBody, sqsEvent } from '../test/sqs-events.ts';
import { LANGGRAPH_RUN_JOB } from './ai/langgraph/jobs.ts';
import { LAMBDA_BUNDLE, LAZY_ONLY_MODULES, staticImportsOf } from './bundle.ts';

let worker: BundledWorker;
let results: unknown[];
let logs: Array<Record<string, unknown>>;

const job = (type: string, payload: unknown) =>
  JSON.stringify({ id: crypto.randomUUID(), type, payload, enqueuedAt: new Date().toISOString() });

beforeAll(async () => {
  worker = await bundleWorkerForTest();
  const event = sqsEvent([
    { body: S3_TEST_EVENT_BODY, messageId: 's3-test' },
    // No run of that id: the job finds nothing to do (the AI runtime loads from its chunk).
    {
      body: job(LANGGRAPH_RUN_JOB, {
        runId: crypto.randomUUID(),
        threadId: crypto.randomUUID(),
        userId: 'nobody',
        requestId: null,
      }),
      messageId: 'unknown-run',
    },
    { body: 'not json', messageId: 'malformed' },
    // An upload no file row waits for: the files handler finds nothing to do.
    {
      body: s3NotificationBody([{ bucket: 'uploads', key: 'users/u/f', size: 3 }]),
      messageId: 's3-created',
    },
    // A payload the handler cannot read: a failure that comes back.
    { body: job(LANGGRAPH_RUN_JOB, null), messageId: 'broken-payload', receiveCount: 2 },
  ]);
  ({ results, stdout: logs } = await worker
    .run([event], {
      PGLITE_DATA_DIR: 'memory://',
      MIGRATIONS_DIR: MIGRATIONS_FOLDER,
      LOG_LEVEL: 'warn',
    })
    .then(({ results, stdout }) => ({
      results,
      stdout: stdout.map((line) => JSON.parse(line) as Record<string, unknown>),
    })));
}, 120_000);
afterAll(() => worker?.dispose());

describe('the bundled worker', () => {
  test('processes an SQS event under Node: a partial batch response naming only the failed record', () => {
    expect(results).toEqual([{ batchItemFailures: [{ itemIdentifier: 'broken-payload' }] }]);
  });

  test('logs what it acknowledged without running and what it will retry, with the Lambda request id', () => {
    const failedForGood = logs.filter((line) => line.message === 'job failed for good');
    expect(failedForGood.map((line) => line.messageId).sort()).toEqual(['malformed']);
    const retried = logs.find((line) => line.message === 'job failed, to be retried');
    expect(retried).toMatchObject({ messageId: 'broken-payload', attempt: 2 });
    expect(retried?.lambdaRequestId).toBe('req-0');
  });

  test('its core imports nothing it leaves external and no AI module', async () => {
    expect(worker.bundle.coreStaticExternals).toEqual([]);
    const core = worker.bundle.files.filter((file) => file.core);
    const external = (
      await Promise.all(
        core.map(async (file) =>
          staticImportsOf(await Bun.file(join(worker.outdir, file.path)).text()),
        ),
      )
    )
      .flat()
      .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
      .filter((specifier) => !builtinModules.includes(specifier));
    expect(external).toEqual([]);
    expect(
      worker.bundle.coreInputs.filter((input) => LAZY_ONLY_MODULES.some((re) => re.test(input))),
    ).toEqual([]);
  });

  test('every file, chunks included, starts with the createRequire banner', async () => {
    expect(worker.bundle.files.some((file) => file.path.startsWith('chunks/'))).toBe(true);
    for (const file of worker.bundle.files) {
      const text = await Bun.file(join(worker.outdir, file.path)).text();
      expect(text.startsWith(LAMBDA_BUNDLE.banner)).toBe(true);
    }
  });
});
