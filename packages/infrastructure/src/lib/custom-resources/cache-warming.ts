import { fileURLToPath } from 'node:url';
import { type CustomResource, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IVpc, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SecureLambda } from '../constructs/secure-lambda.ts';
import { VpcCustomResource } from './vpc-custom-resource.ts';

export interface CacheWarmingProps {
  readonly vpc: IVpc;
  readonly host: string;
  readonly port: string;
  readonly authSecret: ISecret;
  /** Key prefix (the app's `CACHE_PREFIX`). */
  readonly prefix: string;
  /** Keys (without prefix) and values to write. */
  readonly entries: Readonly<Record<string, string>>;
  /**
   * @default 3600 - an hour, after which the app refills on demand
   */
  readonly ttlSeconds?: number;
  /**
   * @default RetentionDays.ONE_MONTH (via SecureLambda)
   */
  readonly logRetention?: RetentionDays;
  /**
   * @default RemovalPolicy.DESTROY (via SecureLambda)
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** Writes the configured entries into the cache on deploy. */
export class CacheWarming extends Construct {
  readonly handler: SecureLambda;
  readonly securityGroup: SecurityGroup;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: CacheWarmingProps) {
    super(scope, id);
    const ttlSeconds = props.ttlSeconds ?? 3600;
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new Error('ttlSeconds must be positive');
    }
    const job = new VpcCustomResource(this, 'Default', {
      vpc: props.vpc,
      entry: fileURLToPath(new URL('./cache-warming.handler.ts', import.meta.url)),
      description: 'Warms the cache on deploy',
      securityGroupDescription: 'Cache warming function: reaches ElastiCache and Secrets Manager',
      resourceType: 'Custom::CacheWarming',
      properties: { Prefix: props.prefix, TtlSeconds: ttlSeconds, Entries: { ...props.entries } },
      timeout: Duration.minutes(1),
      environment: {
        REDIS_HOST: props.host,
        REDIS_PORT: props.port,
        REDIS_TLS: 'true',
        REDIS_AUTH_SECRET_ARN: props.authSecret.secretArn,
      },
      secrets: [props.authSecret],
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.handler = job.handler;
    this.securityGroup = job.securityGroup;
    this.resource = job.resource;
  }
}
