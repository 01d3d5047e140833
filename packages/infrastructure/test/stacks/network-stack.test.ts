import { describe, expect, test } from 'bun:test';
import { Match } from 'aws-cdk-lib/assertions';
import { stageApp, template } from '../helpers/synth.ts';

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
});
