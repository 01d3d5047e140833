import { describe, expect, test } from 'bun:test';
import { Peer, Port, SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { acknowledge } from '../../../src/lib/acknowledge.ts';
import { SecurityAspect } from '../../../src/lib/aspects/security-aspect.ts';
import { SecureBucket } from '../../../src/lib/constructs/secure-s3.ts';
import { testStack } from '../../helpers/synth.ts';
import { findings } from './aspect-helpers.ts';

describe('SecurityAspect', () => {
  test('a secure bucket, a private security group and a reasoned wildcard pass', () => {
    const stack = testStack();
    new SecureBucket(stack, 'Data');
    new SecurityGroup(stack, 'Sg', { vpc: new Vpc(stack, 'Vpc', { natGateways: 0 }) });
    const role = new Role(stack, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(new PolicyStatement({ actions: ['xray:PutTraceSegments'], resources: ['*'] }));
    const policy = role.node.findChild('DefaultPolicy');
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray supports no resource-level permissions for this call.',
    );
    expect(findings(stack, new SecurityAspect()).errors).toEqual([]);
  });

  test('a public bucket is an error', () => {
    const stack = testStack();
    new Bucket(stack, 'Public', { blockPublicAccess: BlockPublicAccess.BLOCK_ACLS });
    expect(findings(stack, new SecurityAspect()).errors.join()).toContain(
      'block all public access',
    );
  });

  test('an unencrypted bucket is an error', () => {
    const stack = testStack();
    new CfnBucket(stack, 'Raw', {
      publicAccessBlockConfiguration: {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    });
    expect(findings(stack, new SecurityAspect()).errors.join()).toContain('must be encrypted');
  });

  test('a security group open to 0.0.0.0/0 is an error', () => {
    const stack = testStack();
    const sg = new SecurityGroup(stack, 'Open', { vpc: new Vpc(stack, 'Vpc', { natGateways: 0 }) });
    sg.addIngressRule(Peer.anyIpv4(), Port.tcp(22));
    expect(findings(stack, new SecurityAspect()).errors.join()).toContain('whole internet');
  });

  test('a wildcard IAM permission without a recorded reason is an error', () => {
    const stack = testStack();
    const role = new Role(stack, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    const errors = findings(stack, new SecurityAspect()).errors.join();
    expect(errors).toContain('Action::s3:*');
    expect(errors).toContain('Resource::*');
  });
});
