import { LAMBDA_BUNDLE, LAMBDA_ENTRY } from '@backend/api/bundle';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { type ISecurityGroup, type IVpc, SubnetType } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias, FunctionUrlAuthType, type IFunctionUrl, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { acknowledge } from '../lib/acknowledge.ts';
import { SecureLambda } from '../lib/constructs/secure-lambda.ts';
import { logRemovalPolicy, retentionDays } from './stack-helpers.ts';

/** The alias CloudFront calls; provisioned concurrency lives on it. */
export const API_ALIAS_NAME = 'live';
/** The header CloudFront adds and the app requires (DESIGN decision 4). */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';
/** Where the cold-start metric (from the function's `platform.report` log lines) is published. */
export const COLD_START_METRIC = { namespace: 'HonoAiBackend', metricName: 'ColdStart' } as const;

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
}

/** The Hono API as one Lambda function behind a streaming Function URL. */
export class ApiStack extends Stack {
  readonly function: NodejsFunction;
  readonly alias: Alias;
  readonly functionUrl: IFunctionUrl;
  readonly originVerifySecret: Secret;
  /** Every secret the function may read (and nothing else). */
  readonly secrets: Readonly<Record<string, ISecret>>;

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
        removalPolicy: RemovalPolicy.DESTROY,
      });
      return secret;
    };
    const authSecret = appSecret('AuthSecret', 'Better Auth signing secret');
    const openAiSecret = appSecret(
      'OpenAiSecret',
      'OpenAI API key (put the real value after deploy)',
    );
    const langsmithSecret = appSecret(
      'LangsmithSecret',
      'LangSmith API key (put the real value after deploy)',
    );
    this.originVerifySecret = appSecret(
      'OriginVerifySecret',
      'Value CloudFront sends in x-origin-verify',
      64,
    );
    for (const [secret, reason] of [
      [
        authSecret,
        'Rotating the Better Auth secret signs every user out; it is rotated by a planned runbook.',
      ],
      [
        openAiSecret,
        'An OpenAI API key is issued by OpenAI and rotated there, then stored here by an operator.',
      ],
      [
        langsmithSecret,
        'A LangSmith API key is issued by LangSmith and rotated there, then stored here by an operator.',
      ],
      [
        this.originVerifySecret,
        'CloudFront reads the origin header value only when the distribution is deployed; it is rotated by redeploying.',
      ],
    ] as const) {
      acknowledge(secret, 'AwsSolutions-SMG4', reason);
    }

    this.secrets = {
      DATABASE_SECRET_ARN: props.database.secret,
      REDIS_AUTH_SECRET_ARN: props.cache.authSecret,
      AUTH_SECRET_ARN: authSecret,
      OPENAI_SECRET_ARN: openAiSecret,
      LANGSMITH_SECRET_ARN: langsmithSecret,
      ORIGIN_VERIFY_SECRET_ARN: this.originVerifySecret,
    };
    const secretArns = Object.fromEntries(
      Object.entries(this.secrets).map(([name, secret]) => [name, secret.secretArn]),
    );

    const api = new SecureLambda(this, 'Api', {
      entry: LAMBDA_ENTRY,
      bundle: LAMBDA_BUNDLE,
      description: `Hono API (${config.stage})`,
      memorySize: config.api.memorySize,
      timeout: Duration.seconds(config.api.timeoutSeconds),
      reservedConcurrentExecutions: config.api.reservedConcurrency,
      vpc: props.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.apiSecurityGroup],
      logRetention: retentionDays(config.logRetentionDays),
      logRemovalPolicy: logRemovalPolicy(config),
      environment: {
        STAGE: config.stage,
        PUBLIC_URL: config.publicUrl,
        DATABASE_HOST: props.database.host,
        DATABASE_READER_HOST: props.database.readerHost,
        DATABASE_NAME: props.database.name,
        REDIS_HOST: props.cache.host,
        REDIS_PORT: props.cache.port,
        REDIS_TLS: 'true',
        TRUSTED_IP_HEADER: 'cloudfront-viewer-address',
        // Deployed stages send mail through SES; the app refuses the log sender there.
        EMAIL_PROVIDER: 'ses',
        EMAIL_FROM: `no-reply@${config.domain.name}`,
        ...secretArns,
      },
      synchronousReason:
        'Invoked synchronously through its Function URL; a failed request is answered to the caller, there is no async event to retry.',
    });
    this.function = api.function;
    for (const secret of Object.values(this.secrets)) secret.grantRead(this.function);
    // Verification and reset emails, from the stage's own domain identity only.
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'identity',
            resourceName: config.domain.name,
          }),
        ],
      }),
    );

    this.alias = new Alias(this, 'LiveAlias', {
      aliasName: API_ALIAS_NAME,
      version: this.function.currentVersion,
      ...(config.api.provisionedConcurrency > 0
        ? { provisionedConcurrentExecutions: config.api.provisionedConcurrency }
        : {}),
    });
    this.functionUrl = this.alias.addFunctionUrl({
      // The origin is protected by the x-origin-verify header the app checks (see README).
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
    });

    new MetricFilter(this, 'ColdStartMetric', {
      logGroup: api.logGroup,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.type', '=', 'platform.report'),
        FilterPattern.exists('$.record.metrics.initDurationMs'),
      ),
      metricNamespace: `${COLD_START_METRIC.namespace}/${config.stage}`,
      metricName: COLD_START_METRIC.metricName,
      metricValue: '1',
      defaultValue: 0,
    });

    new CfnOutput(this, 'FunctionUrl', { value: this.functionUrl.url });
  }
}
