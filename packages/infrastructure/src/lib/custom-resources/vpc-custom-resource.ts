import { CustomResource, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type IVpc, SecurityGroup, SubnetType } from 'aws-cdk-lib/aws-ec2';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SecureLambda } from '../constructs/secure-lambda.ts';

/**
 * Why a deploy-time handler needs no dead-letter queue or failure destination. CloudFormation
 * invokes it asynchronously, with retries off: every outcome, a failure included, is answered
 * to CloudFormation through the response URL, and the resource's service timeout bounds a
 * handler that dies without answering.
 */
export const CUSTOM_RESOURCE_FAILURE_REASON =
  'Invoked asynchronously by CloudFormation with retries off; every outcome, failures included, is answered through the response URL and fails the deployment, and the service timeout bounds a handler that dies silently.';

/** How long CloudFormation waits beyond the handler's own timeout before failing the resource. */
export const SERVICE_TIMEOUT_MARGIN = Duration.seconds(30);

/** The log settings a deploy-time job hands to its function. */
export interface JobLogProps {
  /**
   * @default RetentionDays.ONE_MONTH (via SecureLambda)
   */
  readonly logRetention?: RetentionDays;
  /**
   * @default RemovalPolicy.DESTROY (via SecureLambda)
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

export interface VpcCustomResourceProps extends JobLogProps {
  readonly vpc: IVpc;
  /** Absolute path of the handler's TypeScript entry (exports `handler`). */
  readonly entry: string;
  /** The function's description. */
  readonly description: string;
  /** The security group's description: what the function reaches. */
  readonly securityGroupDescription: string;
  /** The CloudFormation type, `Custom::<Name>`. */
  readonly resourceType: `Custom::${string}`;
  /**
   * The resource's properties: a change re-runs the handler (Update).
   * @default - none
   */
  readonly properties?: Readonly<Record<string, unknown>>;
  /**
   * Endpoints and secret ARNs for the handler, never secret values.
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Secrets the handler may read (and nothing else).
   * @default - none
   */
  readonly secrets?: readonly ISecret[];
  /**
   * @default Duration.seconds(30) (via SecureLambda)
   */
  readonly timeout?: Duration;
  /**
   * @default 512 (via SecureLambda)
   */
  readonly memorySize?: number;
  /**
   * Shell commands run around bundling (e.g. to ship files beside the bundle).
   * @default - none
   */
  readonly commandHooks?: ICommandHooks;
}

/**
 * A custom resource whose handler runs inside the VPC: its own security group (data stores
 * admit it one by one), a `SecureLambda` in the private subnets with egress (Secrets Manager
 * through the VPC endpoint), read access to the named secrets only, and the resource
 * invoking it directly (the handler answers CloudFormation itself, see `cfn-response.ts`).
 *
 * The deploy-time jobs (migration, seed, cache warming) each add this as their `Default`
 * child: CDK leaves `Default` out of logical ids, so the resources keep the ids they had.
 */
export class VpcCustomResource extends Construct {
  readonly handler: SecureLambda;
  readonly securityGroup: SecurityGroup;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: VpcCustomResourceProps) {
    super(scope, id);
    if (!/^Custom::[A-Za-z0-9_@-]{1,60}$/.test(props.resourceType)) {
      throw new Error(`Invalid custom resource type ${props.resourceType}`);
    }
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: props.securityGroupDescription,
    });
    this.handler = new SecureLambda(this, 'Handler', {
      entry: props.entry,
      description: props.description,
      timeout: props.timeout,
      memorySize: props.memorySize,
      vpc: props.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: props.environment,
      commandHooks: props.commandHooks,
      noDeadLetterQueueReason: CUSTOM_RESOURCE_FAILURE_REASON,
      // A retried deploy-time job would run twice (a migration, a seed) after answering once.
      retryAttempts: 0,
      noFailureDestinationReason: CUSTOM_RESOURCE_FAILURE_REASON,
    });
    for (const secret of props.secrets ?? []) secret.grantRead(this.handler.function);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.function.functionArn,
      // CloudFormation's default is an hour: a handler that dies without answering fails the
      // deployment shortly after its own timeout instead.
      serviceTimeout: (props.timeout ?? Duration.seconds(30)).plus(SERVICE_TIMEOUT_MARGIN),
      resourceType: props.resourceType,
      properties: { ...props.properties },
    });
  }
}

/**
 * A deploy-time job (migration, seed, cache warming): a construct whose `Default` child is its
 * `VpcCustomResource`, with that resource's function, security group and resource.
 */
export abstract class DeployTimeJob extends Construct {
  readonly handler: SecureLambda;
  readonly securityGroup: SecurityGroup;
  readonly resource: CustomResource;

  protected constructor(scope: Construct, id: string, props: VpcCustomResourceProps) {
    super(scope, id);
    const job = new VpcCustomResource(this, 'Default', props);
    this.handler = job.handler;
    this.securityGroup = job.securityGroup;
    this.resource = job.resource;
  }
}
