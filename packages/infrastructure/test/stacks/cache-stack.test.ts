import { describe, expect, test } from 'bun:test';
import { Match } from 'aws-cdk-lib/assertions';
import { stageApp, template } from '../helpers/synth.ts';

describe('CacheStack', () => {
  test('encrypted in transit and at rest, AUTH token from Secrets Manager', () => {
    const t = template(stageApp('prod').stacks.cache);
    t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      AuthToken: Match.objectLike({
        'Fn::Join': Match.arrayWith([Match.arrayWith(['{{resolve:secretsmanager:'])]),
      }),
    });
  });

  test('multi-AZ with automatic failover in prod, single node in dev', () => {
    template(stageApp('prod').stacks.cache).hasResourceProperties(
      'AWS::ElastiCache::ReplicationGroup',
      {
        MultiAZEnabled: true,
        AutomaticFailoverEnabled: true,
        NumCacheClusters: 2,
      },
    );
    template(stageApp('dev').stacks.cache).hasResourceProperties(
      'AWS::ElastiCache::ReplicationGroup',
      {
        MultiAZEnabled: false,
        NumCacheClusters: 1,
      },
    );
  });

  test('the cache security group admits only the API and warming functions', () => {
    const groups = template(stageApp('dev').stacks.cache).findResources('AWS::EC2::SecurityGroup');
    const ingress = Object.values(groups).flatMap((g) => g.Properties.SecurityGroupIngress ?? []);
    const standalone = Object.values(
      template(stageApp('dev').stacks.cache).findResources('AWS::EC2::SecurityGroupIngress'),
    ).map((r) => r.Properties);
    for (const rule of [...ingress, ...standalone]) expect(rule.CidrIp).toBeUndefined();
    expect(standalone.filter((r) => r.FromPort === 6379)).toHaveLength(2);
  });

  test('the cache lives in the private subnets; the warming job in the VPC reads only the token', () => {
    const t = template(stageApp('dev').stacks.cache);
    const [group] = Object.values(t.findResources('AWS::ElastiCache::SubnetGroup'));
    expect(JSON.stringify(group?.Properties.SubnetIds)).toContain('privateSubnet');
    const [warming] = Object.values(t.findResources('AWS::Lambda::Function'));
    expect(JSON.stringify(warming?.Properties.VpcConfig.SubnetIds)).toContain('privateSubnet');
    expect(warming?.Properties.Environment.Variables.REDIS_TLS).toBe('true');
    t.hasResourceProperties('Custom::CacheWarming', {
      Prefix: 'app:dev:',
      Entries: Match.objectLike({ 'meta:warmed': 'true' }),
    });
  });

  test('removal policies: RETAIN prod, SNAPSHOT staging, DESTROY dev', () => {
    const policy = (stage: 'dev' | 'staging' | 'prod') =>
      Object.values(
        template(stageApp(stage).stacks.cache).findResources('AWS::ElastiCache::ReplicationGroup'),
      )[0]?.DeletionPolicy;
    expect(policy('prod')).toBe('Retain');
    expect(policy('staging')).toBe('Snapshot');
    expect(policy('dev')).toBe('Delete');
  });
});
