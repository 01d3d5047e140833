import { describe, expect, test } from 'bun:test';
import { Match } from 'aws-cdk-lib/assertions';
import { STAGE_CONFIGS, STAGE_NAMES } from '../../src/config.ts';
import { COMMITTED_CONTEXT, stageApp, TEST_ENV, template } from '../helpers/synth.ts';

describe('NetworkStack', () => {
  test('dev has one NAT gateway; prod one per AZ', () => {
    expect(
      Object.keys(template(stageApp('dev').stacks.network).findResources('AWS::EC2::NatGateway')),
    ).toHaveLength(1);
    expect(
      Object.keys(template(stageApp('prod').stacks.network).findResources('AWS::EC2::NatGateway')),
    ).toHaveLength(3);
  });

  test('public, private-with-egress and isolated subnets exist', () => {
    const t = template(stageApp('dev').stacks.network);
    for (const name of ['public', 'private', 'isolated']) {
      t.hasResourceProperties('AWS::EC2::Subnet', {
        Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: name }]),
      });
    }
  });

  test('flow logs capture all traffic to CloudWatch Logs with retention', () => {
    const t = template(stageApp('dev').stacks.network);
    t.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  test('endpoints: S3 gateway, Secrets Manager and CloudWatch Logs interfaces', () => {
    const t = template(stageApp('dev').stacks.network);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.s3'])]) }),
    });
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: 'com.amazonaws.eu-west-1.secretsmanager',
      PrivateDnsEnabled: true,
    });
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      ServiceName: 'com.amazonaws.eu-west-1.logs',
    });
  });

  test.each(STAGE_NAMES)(
    '%s: subnets sit in the committed availability zones of the synth region (no lookup left)',
    (stage) => {
      const { app, stacks } = stageApp(stage);
      const zones = COMMITTED_CONTEXT[
        `availability-zones:account=${TEST_ENV.CDK_DEFAULT_ACCOUNT}:region=${TEST_ENV.CDK_DEFAULT_REGION}`
      ] as string[];
      expect(TEST_ENV.CDK_DEFAULT_REGION).not.toBe('us-east-1');
      const used = new Set(
        Object.values(template(stacks.network).findResources('AWS::EC2::Subnet')).map(
          (subnet) => subnet.Properties.AvailabilityZone,
        ),
      );
      expect([...used].sort()).toEqual(zones.slice(0, STAGE_CONFIGS[stage].network.maxAzs));
      const assembly = app.synth();
      expect(assembly.manifest.missing ?? []).toEqual([]);
    },
  );
});
