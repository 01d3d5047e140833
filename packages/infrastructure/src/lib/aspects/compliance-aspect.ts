import { Annotations, CfnResource, type IAspect, Stack } from 'aws-cdk-lib';
import { CfnDistribution } from 'aws-cdk-lib/aws-cloudfront';
import { CfnReplicationGroup } from 'aws-cdk-lib/aws-elasticache';
import { CfnDBCluster } from 'aws-cdk-lib/aws-rds';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { CfnTopic } from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';
import { LOG_DESTINATION_METADATA } from '../constructs/secure-s3.ts';

/**
 * Encryption and logging everywhere: buckets log access (a log-destination bucket
 * is marked with `LOG_DESTINATION_METADATA`), topics use KMS, databases export
 * logs and encrypt, caches log and encrypt, distributions log.
 */
export class ComplianceAspect implements IAspect {
  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    const error = (message: string) =>
      Annotations.of(node).addError(`[ComplianceAspect] ${message}`);
    const stack = Stack.of(node);

    if (node instanceof CfnBucket) {
      const isLogDestination = (node.node.scope?.node.metadata ?? []).some(
        (entry) => entry.type === LOG_DESTINATION_METADATA,
      );
      if (!node.loggingConfiguration && !isLogDestination) {
        error('S3 bucket must write server access logs');
      }
      if (!node.bucketEncryption) error('S3 bucket must be encrypted');
    } else if (node instanceof CfnTopic) {
      if (!node.kmsMasterKeyId) error('SNS topic must be encrypted with KMS');
    } else if (node instanceof CfnDBCluster) {
      if (node.storageEncrypted !== true) error('Database must be encrypted');
      const exports = stack.resolve(node.enableCloudwatchLogsExports) as string[] | undefined;
      if (!exports?.length) error('Database must export its logs to CloudWatch Logs');
    } else if (node instanceof CfnReplicationGroup) {
      if (node.atRestEncryptionEnabled !== true || node.transitEncryptionEnabled !== true) {
        error('Cache must be encrypted at rest and in transit');
      }
      const logs = stack.resolve(node.logDeliveryConfigurations) as unknown[] | undefined;
      if (!logs?.length) error('Cache must deliver its logs');
    } else if (node instanceof CfnDistribution) {
      const config = stack.resolve(node.distributionConfig) as {
        logging?: unknown;
        Logging?: unknown;
      };
      if (!config.logging && !config.Logging) error('Distribution must write access logs');
    }
  }
}
