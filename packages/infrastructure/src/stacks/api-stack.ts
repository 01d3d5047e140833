import { LAMBDA_BUNDLE, LAMBDA_COMMAND_HOOKS, LAMBDA_ENTRY } from '@backend/api/bundle';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import {
  LambdaApplication,
  LambdaDeploymentConfig,
  LambdaDeploymentGroup,
} from 'aws-cdk-lib/aws-codedeploy';
import type { ISecurityGroup, IVpc } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias, FunctionUrlAuthType, type IFunctionUrl, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { acknowledge } from '../lib/acknowledge.ts';
import { SecureLambda } from '../lib/constructs/secure-lambda.ts';
import { SesSender } from '../lib/constructs/ses-sender.ts';
import { acknowledgeUserObjects, appFunctionSettings, createWorker } from './api-worker.ts';
import { releaseNames } from './cicd-stack.ts';
import { logRemovalPolicy, resourcePrefix } from './stack-helpers.ts';
import { UPLOADS_PREFIX, uploadOrigins } from './storage-stack.ts';

/** The alias CloudFront calls; provisioned concurrency lives on it. */
export const API_ALIAS_NAME = 'live';
/** The header CloudFront adds and the app requires (DESIGN decision 4). */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';
/**
 * The origin-verify secret is JSON: CloudFront sends `current`; the app accepts `current` and,
 * while the value rotates, `previous` (docs/deploying.md).
 */
export const ORIGIN_VERIFY_CURRENT_FIELD = 'current';
/** Where the cold-start metric (from the function's `platform.report` log lines) is published. */
export const COLD_START_METRIC = { namespace: 'HonoAiBackend', metricName: 'ColdStart' } as const;

/** The stage's custom-metric namespace: the app's Powertools metrics and the cold-start metric. */
export function metricsNamespace(config: Pick<StageConfig, 'stage'>): string {
  return `${COLD_START_METRIC.namespace}/${config.stage}`;
}

export interface ApiStackProps extends StackProps {
  readonly config: StageConfig;
  readonly vpc: IVpc;
  readonly apiSecurityGroup: ISecurityGroup;
  readonly database: {
    readonly host: string;
    readonly readerHost: string;
    readonly name: string;
    readonly secret: ISecret;
  };
  readonly cache: {
    readonly host: string;
    readonly port: string;
    readonly authSecret: ISecret;
  };
  /** The queue background jobs go to (the API sends, the worker consumes). */
  readonly jobs: IQueue;
  /** The bucket users' files are uploaded to (`users/{userId}/{fileId}`). */
  readonly uploads: IBucket;
}

/**
 * The Hono API as one Lambda function behind a streaming Function URL, and the worker function
 * built from the same code that runs its background jobs from the job queue.
 */
export class ApiStack extends Stack {
  readonly function: NodejsFunction;
  readonly alias: Alias;
  readonly functionUrl: IFunctionUrl;
  readonly originVerifySecret: Secret;
  /** The function's log group (its JSON logs, Powertools metric lines and audit lines). */
  readonly logGroup: ILogGroup;
  /** CodeDeploy's canary (or all-at-once) release of each new version to the `live` alias. */
  readonly deploymentGroup: LambdaDeploymentGroup;
  /** The SES identity and configuration set the app sends through. */
  readonly email: SesSender;
  /** The alarms that roll a release back. */
  readonly releaseAlarms: Alarm[];
  /** Every secret the function may read (and nothing else). */
  readonly secrets: Readonly<Record<string, ISecret>>;
  /** The worker function: the same code, its SQS entry, fed by the job queue. */
  readonly worker: NodejsFunction;
  readonly workerLogGroup: ILogGroup;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;

    const appSecret = (secretId: string, description: string, length = 48): Secret => {
      const secret = new Secret(this, secretId, {
        description,
        generateSecretString: {
          passwordLength: length,
          excludePunctuation: true,
          includeSpace: false,
        },
        // Dev's go with the stage; elsewhere an operator-stored key or the signing secret
        // outlives a deleted stack.
        removalPolicy: logRemovalPolicy(config),
      });
      return secret;
    };
    const authSecret = appSecret('AuthSecret', 'Better Auth signing secret');
    acknowledge(
      authSecret,
      'AwsSolutions-SMG4',
      'Rotating the Better Auth secret signs every user out; it is rotated by a planned runbook.',
    );
    this.originVerifySecret = new Secret(this, 'OriginVerifySecret', {
      description: 'Value CloudFront sends in x-origin-verify',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: ORIGIN_VERIFY_CURRENT_FIELD,
        passwordLength: 64,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: logRemovalPolicy(config),
    });
    acknowledge(
      this.originVerifySecret,
      'AwsSolutions-SMG4',
      'CloudFront reads the origin header value only when the distribution is deployed: it rotates by a runbook (previous kept while the edge stack redeploys), not by a rotation function.',
    );
    const secrets: Record<string, ISecret> = {
      DATABASE_SECRET_ARN: props.database.secret,
      REDIS_AUTH_SECRET_ARN: props.cache.authSecret,
      AUTH_SECRET_ARN: authSecret,
      ORIGIN_VERIFY_SECRET_ARN: this.originVerifySecret,
    };
    // Third-party API keys, per enabled provider: a secret holding a generated placeholder until
    // an operator puts the key the provider issued into it after the first deploy (README).
    if (config.features.openAiSecret) {
      const openAiSecret = appSecret(
        'OpenAiSecret',
        'OpenAI API key (put the real value after deploy)',
      );
      acknowledge(
        openAiSecret,
        'AwsSolutions-SMG4',
        'An OpenAI API key is issued by OpenAI and rotated there, then stored here by an operator.',
      );
      secrets.OPENAI_SECRET_ARN = openAiSecret;
    }
    if (config.features.langsmithSecret) {
      const langsmithSecret = appSecret(
        'LangsmithSecret',
        'LangSmith API key (put the real value after deploy)',
      );
      acknowledge(
        langsmithSecret,
        'AwsSolutions-SMG4',
        'A LangSmith API key is issued by LangSmith and rotated there, then stored here by an operator.',
      );
      secrets.LANGSMITH_SECRET_ARN = langsmithSecret;
    }
    this.secrets = secrets;
    const secretArns = Object.fromEntries(
      Object.entries(this.secrets).map(([name, secret]) => [name, secret.secretArn]),
    );

    // What the API and the worker both read: the same app, configured the same way.
    const appEnvironment: Record<string, string> = {
      STAGE: config.stage,
      // Read by the app's logger and by Powertools Logger; Lambda filters below it too.
      LOG_LEVEL: config.api.logLevel,
      // Read by Powertools (Metrics, Tracer), not by env.ts.
      POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(config),
      POWERTOOLS_TRACE_ENABLED: String(config.api.traceSubsegments),
      // The function's timeout is above these (validateConfig); the app also caps its own
      // deadline at the invocation's remaining time. A run's lease follows the AI deadline.
      AI_REQUEST_TIMEOUT_MS: String(config.api.aiRequestTimeoutMs),
      OPENAI_TIMEOUT_MS: String(config.api.openAiTimeoutMs),
      PUBLIC_URL: config.publicUrl,
      DATABASE_HOST: props.database.host,
      DATABASE_READER_HOST: props.database.readerHost,
      DATABASE_NAME: props.database.name,
      REDIS_HOST: props.cache.host,
      REDIS_PORT: props.cache.port,
      REDIS_TLS: 'true',
      // Deployed stages send mail through SES; the app refuses the log sender there.
      EMAIL_PROVIDER: 'ses',
      EMAIL_FROM: `no-reply@${config.domain.name}`,
      JOBS_QUEUE_URL: props.jobs.queueUrl,
      UPLOADS_BUCKET: props.uploads.bucketName,
    };

    const api = new SecureLambda(this, 'Api', {
      entry: LAMBDA_ENTRY,
      bundle: LAMBDA_BUNDLE,
      // Rebuilds the asset split: index.mjs plus lazily loaded chunks (NodejsFunction cannot).
      commandHooks: LAMBDA_COMMAND_HOOKS,
      // Named after the stage: the release workflow reads its alias by name.
      functionName: releaseNames(config).functionName,
      description: `Hono API (${config.stage})`,
      memorySize: config.api.memorySize,
      timeout: Duration.seconds(config.api.timeoutSeconds),
      reservedConcurrentExecutions: config.api.reservedConcurrency,
      ...appFunctionSettings(config, props.vpc, props.apiSecurityGroup),
      environment: {
        ...appEnvironment,
        POWERTOOLS_SERVICE_NAME: config.project,
        // The WAF's size rule blocks declared bodies above the same number.
        BODY_LIMIT_BYTES: String(config.api.bodyLimitBytes),
        TRUSTED_IP_HEADER: 'cloudfront-viewer-address',
        ...(config.uploads.extraAllowedOrigins.length > 0
          ? { ALLOWED_ORIGINS: uploadOrigins(config).join(',') }
          : {}),
        ...secretArns,
      },
      noDeadLetterQueueReason:
        'Invoked synchronously through its Function URL; a failed request is answered to the caller, there is no async event to retry.',
    });
    this.function = api.function;
    // Verification and reset emails: the stage's own domain identity, DKIM-signed.
    const emailConfigurationSetName = `${resourcePrefix(config)}-email`;
    this.email = new SesSender(this, 'Email', {
      domain: config.domain.name,
      zone: HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: config.domain.hostedZoneId,
        zoneName: config.domain.hostedZoneName,
      }),
      configurationSetName: emailConfigurationSetName,
    });
    this.logGroup = api.logGroup;
    for (const secret of Object.values(this.secrets)) secret.grantRead(this.function);
    // Verification and reset emails, from the stage's own domain identity only (SES v2 also
    // authorizes the configuration set the identity sends through).
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'identity',
            resourceName: config.domain.name,
          }),
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: emailConfigurationSetName,
          }),
        ],
      }),
    );

    // Jobs: the API only sends (no receive, delete or purge); the queue uses SQS-managed keys.
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.jobs.queueArn] }),
    );
    // Uploads: presigned POSTs (signed with this role, so it must hold s3:PutObject and, for the
    // pending tag they set, s3:PutObjectTagging), downloads and deletion, under users/ only.
    const userObjects = props.uploads.arnForObjects(`${UPLOADS_PREFIX}*`);
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:PutObjectTagging', 's3:GetObject', 's3:DeleteObject'],
        resources: [userObjects],
      }),
    );
    acknowledgeUserObjects(this.function, userObjects);

    // The worker: the same code and configuration, its SQS entry, consuming the job queue.
    const worker = createWorker(this, {
      config,
      vpc: props.vpc,
      securityGroup: props.apiSecurityGroup,
      queue: props.jobs,
      uploadObjects: userObjects,
      environment: appEnvironment,
      // Everything the API reads except the edge's origin-verify value (it serves no requests).
      secrets: Object.fromEntries(
        Object.entries(this.secrets).filter(([name]) => name !== 'ORIGIN_VERIFY_SECRET_ARN'),
      ),
    });
    this.worker = worker.function;
    this.workerLogGroup = worker.logGroup;

    this.alias = new Alias(this, 'LiveAlias', {
      aliasName: API_ALIAS_NAME,
      version: this.function.currentVersion,
      ...(config.api.provisionedConcurrency > 0
        ? { provisionedConcurrentExecutions: config.api.provisionedConcurrency }
        : {}),
    });
    this.functionUrl = this.alias.addFunctionUrl({
      // Only requests CloudFront signs (Origin Access Control) reach the function.
      authType: FunctionUrlAuthType.AWS_IAM,
      invokeMode: InvokeMode.RESPONSE_STREAM,
    });

    // Canary releases: CodeDeploy shifts the alias to each new version (10% for 5 minutes,
    // or all at once) and shifts it back by itself when an alarm on the alias fires.
    const aliasMetric = (metricName: string, statistic: string) =>
      this.alias.metric(metricName, { statistic, period: Duration.minutes(1) });
    const releaseAlarm = (id: string, description: string, metric: Metric, threshold: number) =>
      new Alarm(this, id, {
        alarmDescription: `${description} (rolls a release back)`,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.releaseAlarms = [
      releaseAlarm(
        'ReleaseErrors',
        'The live alias reports function errors',
        aliasMetric('Errors', 'Sum'),
        config.alarms.errors,
      ),
      releaseAlarm(
        'Release5xx',
        'The live alias answers 5xx',
        aliasMetric('Url5xxCount', 'Sum'),
        config.alarms.errors,
      ),
      releaseAlarm(
        'ReleaseLatency',
        `The live alias p99 latency is above ${config.alarms.p99LatencyMs} ms`,
        aliasMetric('UrlRequestLatency', 'p99'),
        config.alarms.p99LatencyMs,
      ),
    ];
    this.deploymentGroup = new LambdaDeploymentGroup(this, 'Release', {
      application: new LambdaApplication(this, 'ReleaseApplication', {
        applicationName: releaseNames(config).applicationName,
      }),
      deploymentGroupName: releaseNames(config).deploymentGroupName,
      alias: this.alias,
      deploymentConfig:
        config.api.release === 'canary'
          ? LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES
          : LambdaDeploymentConfig.ALL_AT_ONCE,
      alarms: this.releaseAlarms,
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    acknowledge(
      this.deploymentGroup.role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      'The AWS managed CodeDeploy policy for Lambda only reads and updates aliases of functions and publishes to topics named CodeDeployTopic*.',
    );

    new MetricFilter(this, 'ColdStartMetric', {
      logGroup: api.logGroup,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.type', '=', 'platform.report'),
        FilterPattern.exists('$.record.metrics.initDurationMs'),
      ),
      metricNamespace: metricsNamespace(config),
      metricName: COLD_START_METRIC.metricName,
      metricValue: '1',
      defaultValue: 0,
    });

    new CfnOutput(this, 'FunctionUrl', { value: this.functionUrl.url });
    new CfnOutput(this, 'FunctionName', { value: this.function.functionName });
    new CfnOutput(this, 'WorkerFunctionName', { value: this.worker.functionName });
    new CfnOutput(this, 'ReleaseApplicationName', {
      value: this.deploymentGroup.application.applicationName,
    });
    new CfnOutput(this, 'ReleaseDeploymentGroupName', {
      value: this.deploymentGroup.deploymentGroupName,
    });
  }
}
