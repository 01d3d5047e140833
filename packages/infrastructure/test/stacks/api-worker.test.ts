/** The API stack's worker function (src/stacks/api-worker.ts) and what each function may do. */
import { describe, expect, test } from 'bun:test';
import { Match } from 'aws-cdk-lib/assertions';
import { STAGE_CONFIGS, STAGE_NAMES, type StageName } from '../../src/config.ts';
import { UPLOADS_PREFIX } from '../../src/stacks/storage-stack.ts';
import { concreteEnv } from '../helpers/env.ts';
import { stageApp, template } from '../helpers/synth.ts';

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

const resources = (stage: StageName, type: string) =>
  Object.entries(template(stageApp(stage).stacks.api).findResources(type));

const fn = (stage: StageName, prefix: 'Api' | 'Jobs') => {
  const found = resources(stage, 'AWS::Lambda::Function').find(([id]) => id.startsWith(prefix));
  if (!found) throw new Error(`no ${prefix} function`);
  return found[1].Properties;
};

/** The statements of the policy attached to a function's role. */
const statementsOf = (stage: StageName, prefix: 'ApiFunction' | 'JobsWorker') =>
  resources(stage, 'AWS::IAM::Policy')
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);

const actionsOn = (statements: Statement[], service: string) =>
  statements
    .flatMap((statement) => [statement.Action].flat())
    .filter((action) => action.startsWith(`${service}:`))
    .sort();

describe.each(STAGE_NAMES)('the worker function (%s)', (stage) => {
  const { jobs } = STAGE_CONFIGS[stage];

  test('the same asset build (worker entry), ARM64, traced, in the VPC, timeout and memory per stage', () => {
    expect(fn(stage, 'Jobs')).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: jobs.workerTimeoutSeconds,
      MemorySize: jobs.workerMemorySize,
      FunctionName: `hono-ai-backend-${stage}-worker`,
    });
    // The API's security group: the database and the cache admit it.
    expect(fn(stage, 'Jobs').VpcConfig.SecurityGroupIds).toEqual(
      fn(stage, 'Api').VpcConfig.SecurityGroupIds,
    );
  });

  test('fed by the job queue: partial batch responses, a small batch, capped concurrency', () => {
    template(stageApp(stage).stacks.api).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: Match.anyValue(),
      BatchSize: jobs.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: jobs.maxConcurrency },
    });
  });

  test('its environment is the API’s minus the edge settings, valid for a deployed stage', async () => {
    const api = fn(stage, 'Api').Environment.Variables as Record<string, unknown>;
    const worker = fn(stage, 'Jobs').Environment.Variables as Record<string, unknown>;
    const apiOnly = ['ORIGIN_VERIFY_SECRET_ARN', 'TRUSTED_IP_HEADER', 'BODY_LIMIT_BYTES'];
    expect(Object.keys(worker).sort()).toEqual(
      Object.keys(api)
        .filter((key) => !apiOnly.includes(key))
        .sort(),
    );
    expect(worker.POWERTOOLS_SERVICE_NAME).toBe('hono-ai-backend-worker');
    expect(worker.JOBS_QUEUE_URL).toEqual(api.JOBS_QUEUE_URL);
    expect(worker.UPLOADS_BUCKET).toEqual(api.UPLOADS_BUCKET);
    const { parseEnv } = await import('@backend/api/env');
    const parsed = parseEnv(concreteEnv(worker)) as Record<string, unknown>;
    expect(parsed.JOBS_QUEUE_URL).toMatch(/^https:\/\/sqs\./);
  });

  test('the API may only send to the queue; the worker consumes it (and sends follow-ups)', () => {
    expect(actionsOn(statementsOf(stage, 'ApiFunction'), 'sqs')).toEqual(['sqs:SendMessage']);
    expect(actionsOn(statementsOf(stage, 'JobsWorker'), 'sqs')).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
  });

  test('uploads: object rights under users/ only; the worker may not write objects', () => {
    const s3 = (prefix: 'ApiFunction' | 'JobsWorker') =>
      statementsOf(stage, prefix).filter((statement) =>
        [statement.Action].flat().some((action) => action.startsWith('s3:')),
      );
    for (const prefix of ['ApiFunction', 'JobsWorker'] as const) {
      for (const statement of s3(prefix)) {
        expect(JSON.stringify(statement.Resource)).toContain(`/${UPLOADS_PREFIX}*`);
      }
    }
    expect(actionsOn(s3('ApiFunction'), 's3')).toEqual([
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
      's3:PutObjectTagging',
    ]);
    expect(actionsOn(s3('JobsWorker'), 's3')).toEqual([
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObjectTagging',
    ]);
  });

  test('the worker reads the API’s secrets except the edge’s origin-verify value', () => {
    const secretsOf = (prefix: 'ApiFunction' | 'JobsWorker') =>
      statementsOf(stage, prefix)
        .filter((statement) => [statement.Action].flat().includes('secretsmanager:GetSecretValue'))
        .flatMap((statement) => [statement.Resource].flat())
        .map((resource) => JSON.stringify(resource));
    const api = secretsOf('ApiFunction');
    const worker = secretsOf('JobsWorker');
    expect(worker.length).toBe(api.length - 1);
    expect(worker.every((resource) => api.includes(resource))).toBe(true);
    expect(worker.join()).not.toContain('OriginVerify');
  });
});
