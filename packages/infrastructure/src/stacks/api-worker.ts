/** The API stack's worker function: the API's code and configuration, its SQS entry. */
import { LAMBDA_BUNDLE, WORKER_COMMAND_HOOKS, WORKER_ENTRY } from '@backend/api/bundle';
import { Duration } from 'aws-cdk-lib';
import { type ISecurityGroup, type IVpc, SubnetType } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { acknowledgeWildcardResource } from '../lib/acknowledge.ts';
import { JobWorker } from '../lib/constructs/job-worker.ts';
import type { SecureLambdaProps } from '../lib/constructs/secure-lambda.ts';
import { logRemovalPolicy, resourcePrefix, retentionDays } from './stack-helpers.ts';

export interface WorkerOptions {
  readonly config: StageConfig;
  readonly vpc: IVpc;
  /** The API's security group, which the database and the cache admit. */
  readonly securityGroup: ISecurityGroup;
  /** The job queue it consumes (and sends follow-up jobs to). */
  readonly queue: IQueue;
  /** The ARN pattern of the uploaded objects it reads and deletes. */
  readonly uploadObjects: string;
  /** The app's configuration, as the API has it. */
  readonly environment: Readonly<Record<string, string>>;
  /** The secrets it reads, by the variable that names each. */
  readonly secrets: Readonly<Record<string, ISecret>>;
}

/**
 * What the API and the worker function share: private subnets, the API's security group
 * (which the database and the cache admit), the stage's log retention and level.
 */
export function appFunctionSettings(config: StageConfig, vpc: IVpc, securityGroup: ISecurityGroup) {
  return {
    vpc,
    vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [securityGroup],
    logRetention: retentionDays(config.logRetentionDays),
    logRemovalPolicy: logRemovalPolicy(config),
    logLevel: config.api.logLevel,
  } satisfies Partial<SecureLambdaProps>;
}

/** The worker function, its event source mapping and its grants. */
export function createWorker(scope: Construct, options: WorkerOptions): JobWorker {
  const { config } = options;
  const worker = new JobWorker(scope, 'Jobs', {
    queue: options.queue,
    batchSize: config.jobs.batchSize,
    maxConcurrency: config.jobs.maxConcurrency,
    entry: WORKER_ENTRY,
    bundle: LAMBDA_BUNDLE,
    commandHooks: WORKER_COMMAND_HOOKS,
    functionName: `${resourcePrefix(config)}-worker`,
    description: `Background jobs (${config.stage})`,
    memorySize: config.jobs.workerMemorySize,
    timeout: Duration.seconds(config.jobs.workerTimeoutSeconds),
    ...appFunctionSettings(config, options.vpc, options.securityGroup),
    environment: {
      ...options.environment,
      POWERTOOLS_SERVICE_NAME: `${config.project}-worker`,
      ...Object.fromEntries(
        Object.entries(options.secrets).map(([name, secret]) => [name, secret.secretArn]),
      ),
    },
  });
  const fn = worker.function;
  for (const secret of Object.values(options.secrets)) secret.grantRead(fn);
  // Reads and deletes uploaded objects (ingestion, rejected uploads), clears the pending tag.
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:GetObject', 's3:DeleteObject', 's3:PutObjectTagging'],
      resources: [options.uploadObjects],
    }),
  );
  acknowledgeUserObjects(fn, options.uploadObjects);
  // Follow-up jobs (the event source mapping already granted receive, delete and visibility).
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [options.queue.queueArn] }),
  );
  return worker;
}

/** Records why `fn` may act on every object under the users' prefix (each user's files). */
export function acknowledgeUserObjects(fn: IFunction, userObjects: string): void {
  const policy = fn.role?.node.tryFindChild('DefaultPolicy');
  if (!policy) throw new Error(`${fn.node.path} has no role policy to acknowledge`);
  acknowledgeWildcardResource(
    policy,
    userObjects,
    'Objects are keyed users/{userId}/{fileId}: the app serves every user, and keeps each user to their own prefix by the keys it signs and reads (a presigned POST pins the prefix).',
  );
}
