/**
 * The worker function's entry: an SQS event handler that runs the jobs the API queued (and the
 * S3 notifications the uploads bucket sends to the same queue) with the same deps and handlers
 * as the API, built once per container at init. It answers a partial batch response, so only
 * the records that failed come back (lib/queue/sqs-batch.ts says which and when).
 */
import { createDeps, createRootLogger } from './deps.ts';
import { loadEnv } from './env.ts';
import type { LambdaContextLike } from './lib/logger.ts';
import { sqsRetryAfter } from './lib/queue/sqs.ts';
import { runSqsBatch, type SqsBatchResponse, type SqsEvent } from './lib/queue/sqs-batch.ts';

/** The part of Lambda's context the worker reads. */
export interface WorkerContext extends LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

const env = loadEnv();
const logger = createRootLogger(env);
const deps = await createDeps(env, { logger });
const retryAfter = env.JOBS_QUEUE_URL
  ? sqsRetryAfter({ queueUrl: env.JOBS_QUEUE_URL, region: env.AWS_REGION })
  : undefined;
let coldStart = true;

export async function handler(event: SqsEvent, context: WorkerContext): Promise<SqsBatchResponse> {
  const cold = coldStart;
  coldStart = false;
  logger.addLambdaContext(context, cold);
  if (cold) deps.metrics.count('coldStart');
  try {
    return await deps.tracing.invocation(
      () =>
        runSqsBatch(event, {
          handlers: deps.jobs.handlers,
          logger,
          remainingMs: () => context.getRemainingTimeInMillis(),
          retryAfter,
        }),
      cold,
    );
  } finally {
    deps.metrics.flush({ lambdaRequestId: context.awsRequestId });
  }
}
