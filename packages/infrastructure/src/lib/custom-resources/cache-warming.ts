import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { DeployTimeJob, type JobLogProps } from './vpc-custom-resource.ts';

export interface CacheWarmingProps extends JobLogProps {
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
}

/** Writes the configured entries into the cache on deploy. */
export class CacheWarming extends DeployTimeJob {
  constructor(scope: Construct, id: string, props: CacheWarmingProps) {
    const ttlSeconds = props.ttlSeconds ?? 3600;
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new Error('ttlSeconds must be positive');
    }
    super(scope, id, {
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
  }
}
