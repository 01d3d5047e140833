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
});
