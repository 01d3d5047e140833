import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StageConfig } from '../config.ts';

const RETENTIONS = Object.values(RetentionDays).filter(
  (value): value is RetentionDays => typeof value === 'number' && value > 0,
);

/** The closest CloudWatch Logs retention at least `days` long. */
export function retentionDays(days: number): RetentionDays {
  const match = RETENTIONS.sort((a, b) => a - b).find((value) => value >= days);
  if (match === undefined) throw new Error(`No log retention of ${days} days or more`);
  return match;
}

/** Logs follow the data policy, except that SNAPSHOT (not valid for logs) keeps them. */
export function logRemovalPolicy(config: StageConfig): RemovalPolicy {
  return config.dataRemovalPolicy === RemovalPolicy.DESTROY
    ? RemovalPolicy.DESTROY
    : RemovalPolicy.RETAIN;
}

/** S3 buckets cannot be snapshotted: staging keeps them. */
export function bucketRemovalPolicy(config: StageConfig): RemovalPolicy {
  return logRemovalPolicy(config);
}

/** A name for physical resources: `<project>-<stage>`. */
export function resourcePrefix(config: StageConfig): string {
  return `${config.project}-${config.stage}`;
}
