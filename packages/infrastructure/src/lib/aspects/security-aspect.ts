import { Annotations, CfnResource, type IAspect, Stack } from 'aws-cdk-lib';
import { CfnSecurityGroup, CfnSecurityGroupIngress } from 'aws-cdk-lib/aws-ec2';
import { CfnReplicationGroup } from 'aws-cdk-lib/aws-elasticache';
import { CfnDBCluster, CfnDBInstance } from 'aws-cdk-lib/aws-rds';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { acknowledgedIds } from '../acknowledge.ts';
import { identityStatements, wildcardFindings } from './policy-statements.ts';

const OPEN_CIDRS = new Set(['0.0.0.0/0', '::/0']);

/**
 * Errors (which fail synthesis) for: buckets without a full public access block,
 * unencrypted storage, security groups open to the internet, and wildcard IAM
 * permissions without a recorded reason (the matching `AwsSolutions-IAM5[...]`
 * acknowledgement).
 */
export class SecurityAspect implements IAspect {
  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    const stack = Stack.of(node);
    const error = (message: string) => Annotations.of(node).addError(`[SecurityAspect] ${message}`);

    if (node instanceof CfnBucket) {
      const block = stack.resolve(node.publicAccessBlockConfiguration) as
        | Record<string, unknown>
        | undefined;
      const fields = [
        'blockPublicAcls',
        'blockPublicPolicy',
        'ignorePublicAcls',
        'restrictPublicBuckets',
      ];
      if (
        !block ||
        !fields.every(
          (field) =>
            block[field] === true || block[field.charAt(0).toUpperCase() + field.slice(1)] === true,
        )
      ) {
        error('S3 bucket must block all public access');
      }
      if (!node.bucketEncryption) error('S3 bucket must be encrypted');
      return;
    }
    if (node instanceof CfnDBCluster) {
      if (node.storageEncrypted !== true) error('Database cluster storage must be encrypted');
      return;
    }
    if (node instanceof CfnDBInstance) {
      if (!node.dbClusterIdentifier && node.storageEncrypted !== true)
        error('Database storage must be encrypted');
      return;
    }
    if (node instanceof CfnReplicationGroup) {
      if (node.atRestEncryptionEnabled !== true) error('Cache must be encrypted at rest');
      if (node.transitEncryptionEnabled !== true) error('Cache must be encrypted in transit');
      return;
    }
    if (node instanceof CfnSecurityGroup) {
      const rules = (stack.resolve(node.securityGroupIngress) ?? []) as Record<string, unknown>[];
      for (const rule of rules) {
        if (
          OPEN_CIDRS.has(String(rule.cidrIp ?? rule.CidrIp)) ||
          OPEN_CIDRS.has(String(rule.cidrIpv6 ?? rule.CidrIpv6))
        ) {
          error('Security group admits the whole internet (0.0.0.0/0 or ::/0)');
        }
      }
      return;
    }
    if (node instanceof CfnSecurityGroupIngress) {
      if (OPEN_CIDRS.has(String(node.cidrIp)) || OPEN_CIDRS.has(String(node.cidrIpv6))) {
        error('Security group ingress admits the whole internet (0.0.0.0/0 or ::/0)');
      }
      return;
    }
    const statements = identityStatements(node);
    if (statements.length === 0) return;
    const acknowledged = new Set(acknowledgedIds(node));
    for (const statement of statements) {
      for (const finding of wildcardFindings(statement)) {
        if (!acknowledged.has(`AwsSolutions-IAM5[${finding}]`)) {
          error(`Wildcard IAM permission ${finding} without a recorded reason`);
        }
      }
    }
  }
}
