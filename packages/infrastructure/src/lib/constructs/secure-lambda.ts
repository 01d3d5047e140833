import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ESM_REQUIRE_BANNER } from '@backend/api/bundle';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  type ISecurityGroup,
  type IVpc,
  type SubnetSelection,
  SubnetType,
} from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';

/** The monorepo root: the bundling project root (it holds `bun.lock` and `node_modules`). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
export const REPO_LOCK_FILE = `${REPO_ROOT}bun.lock`;

/** esbuild settings, in the shape `packages/api/src/bundle.ts` exports them. */
export interface EsbuildSettings {
  readonly format: 'esm' | 'cjs';
  readonly target: string;
  readonly minify: boolean;
  readonly sourcemap: boolean;
  readonly mainFields: readonly string[];
  readonly banner?: string;
  readonly externals: readonly string[];
  /** Modules replaced at bundle time (esbuild `--alias`). @default none */
  readonly aliases?: Readonly<Record<string, string>>;
}

/** The settings of the small custom-resource handlers (same shape as the API's). */
export const HANDLER_BUNDLE: EsbuildSettings = {
  format: 'esm',
  target: 'node22',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  // The one definition of the banner an ESM bundle needs (see ESM_REQUIRE_BANNER).
  banner: ESM_REQUIRE_BANNER,
  externals: ['@aws-sdk/*'],
};

/**
 * Fails fast when esbuild cannot run locally: `NodejsFunction` would otherwise fall back
 * to Docker bundling, which this project never uses.
 */
export function assertLocalEsbuild(): void {
  try {
    createRequire(import.meta.url).resolve('esbuild');
  } catch {
    throw new Error('esbuild is not installed: run `bun install` (Docker bundling is disabled)');
  }
}

const APPLICATION_LOG_LEVELS = {
  debug: ApplicationLogLevel.DEBUG,
  info: ApplicationLogLevel.INFO,
  warn: ApplicationLogLevel.WARN,
  error: ApplicationLogLevel.ERROR,
} as const;

export interface SecureLambdaProps {
  /** Absolute path of the TypeScript entry that exports `handler`. */
  readonly entry: string;
  /**
   * esbuild settings.
   * @default HANDLER_BUNDLE - ESM for Node 22, minified, with source maps
   */
  readonly bundle?: EsbuildSettings;
  /**
   * Shell commands run around bundling (e.g. to copy migrations next to the bundle).
   * @default - none
   */
  readonly commandHooks?: ICommandHooks;
  /**
   * Memory in MiB.
   * @default 512 - enough for the small handlers; the API sets its own per stage
   */
  readonly memorySize?: number;
  /**
   * @default Duration.seconds(30) - long enough for a handler, short enough to fail fast
   */
  readonly timeout?: Duration;
  /**
   * Environment variables: endpoints and secret ARNs, never secret values.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The VPC to run in.
   * @default - no VPC
   */
  readonly vpc?: IVpc;
  /**
   * @default - private subnets with egress when `vpc` is set
   */
  readonly vpcSubnets?: SubnetSelection;
  /**
   * @default - a new security group when `vpc` is set
   */
  readonly securityGroups?: ISecurityGroup[];
  /**
   * @default - unreserved (the account's shared pool)
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Retention of the function's log group.
   * @default RetentionDays.ONE_MONTH - long enough to investigate an incident
   */
  readonly logRetention?: RetentionDays;
  /**
   * The lowest level of the function's JSON log lines that Lambda keeps (application logs);
   * set it to the app's own `LOG_LEVEL` so neither drops what the other writes.
   * @default 'info' - debug lines are for a stage being investigated
   */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /**
   * What happens to the log group when the stack is deleted.
   * @default RemovalPolicy.DESTROY - logs have their own retention
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * @default - none
   */
  readonly description?: string;
  /**
   * Why this function needs no dead-letter queue (it is invoked synchronously, or its failures
   * are reported elsewhere). Recorded as the acknowledgement of `Serverless-LambdaDLQ`.
   */
  readonly noDeadLetterQueueReason: string;
  /**
   * Retries of a failed asynchronous invocation (0-2). Set, it also needs
   * `noFailureDestinationReason`.
   * @default - Lambda's default (2 retries)
   */
  readonly retryAttempts?: number;
  /**
   * Why failed asynchronous invocations need no failure destination; recorded as the
   * acknowledgement of `Serverless-LambdaAsyncFailureDestination`. Required with `retryAttempts`.
   * @default - none
   */
  readonly noFailureDestinationReason?: string;
}

/**
 * A Node.js 22 function with the house defaults baked in: ARM64, active X-Ray tracing,
 * an explicit log group with retention and JSON logs, local esbuild bundling (never Docker).
 */
export class SecureLambda extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SecureLambdaProps) {
    super(scope, id);
    if (!props.entry.endsWith('.ts')) throw new Error('SecureLambda entry must be a .ts file');
    if (props.memorySize !== undefined && (props.memorySize < 128 || props.memorySize > 10240)) {
      throw new Error(`memorySize ${props.memorySize} is outside 128-10240 MiB`);
    }
    if (props.securityGroups && !props.vpc) throw new Error('securityGroups need a vpc');
    if (props.retryAttempts !== undefined && !props.noFailureDestinationReason) {
      throw new Error('retryAttempts needs a noFailureDestinationReason');
    }
    assertLocalEsbuild();

    const bundle = props.bundle ?? HANDLER_BUNDLE;
    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      environment: { ...props.environment },
      description: props.description,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: APPLICATION_LOG_LEVELS[props.logLevel ?? 'info'],
      systemLogLevelV2: SystemLogLevel.INFO,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      retryAttempts: props.retryAttempts,
      ...(props.vpc
        ? {
            vpc: props.vpc,
            vpcSubnets: props.vpcSubnets ?? { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: props.securityGroups,
          }
        : {}),
      depsLockFilePath: REPO_LOCK_FILE,
      projectRoot: REPO_ROOT,
      bundling: {
        forceDockerBundling: false,
        format: bundle.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
        target: bundle.target,
        minify: bundle.minify,
        sourceMap: bundle.sourcemap,
        mainFields: [...bundle.mainFields],
        banner: bundle.banner,
        externalModules: [...bundle.externals],
        esbuildArgs: Object.fromEntries(
          Object.entries(bundle.aliases ?? {}).map(([module, path]) => [`--alias:${module}`, path]),
        ),
        commandHooks: props.commandHooks,
      },
    });

    const policy = this.function.role?.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledge(
        policy,
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (active tracing).',
      );
    }
    if (this.function.role) {
      acknowledge(
        this.function.role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'The AWS managed basic execution policy only allows writing this function its own CloudWatch logs.',
      );
      if (props.vpc) {
        acknowledge(
          this.function.role,
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
          'The AWS managed VPC access policy grants only the ENI permissions Lambda needs to attach to the VPC.',
        );
      }
    }
    const runtimeReason =
      'Node.js 22 is the runtime the app is built and tested for (DESIGN decision 1); moving to a newer runtime is a tested change.';
    acknowledge(this.function, 'AwsSolutions-L1', runtimeReason);
    acknowledge(this.function, 'Serverless-LambdaLatestVersion', runtimeReason);
    acknowledge(this.function, 'Serverless-LambdaDLQ', props.noDeadLetterQueueReason);
    const invokeConfig = this.function.node.tryFindChild('EventInvokeConfig');
    if (invokeConfig && props.noFailureDestinationReason) {
      acknowledge(
        invokeConfig,
        'Serverless-LambdaAsyncFailureDestination',
        props.noFailureDestinationReason,
      );
    }
  }
}
