import { describe, expect, test } from 'bun:test';
import { Match } from 'aws-cdk-lib/assertions';
import { STAGE_NAMES } from '../../src/config.ts';
import { stageApp, template } from '../helpers/synth.ts';

describe('DatabaseStack', () => {
  test('Aurora PostgreSQL Serverless v2: encrypted, IAM auth, logs exported, isolated', () => {
    const t = template(stageApp('prod').stacks.database);
    t.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      KmsKeyId: Match.anyValue(),
      EnableIAMDatabaseAuthentication: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 30,
      EnableCloudwatchLogsExports: ['postgresql'],
      ServerlessV2ScalingConfiguration: { MinCapacity: 1, MaxCapacity: 16 },
    });
  });

  test('writer and reader in staging/prod, writer only in dev', () => {
    const count = (stage: 'dev' | 'staging' | 'prod') =>
      Object.keys(template(stageApp(stage).stacks.database).findResources('AWS::RDS::DBInstance'))
        .length;
    expect(count('dev')).toBe(1);
    expect(count('staging')).toBe(2);
    expect(count('prod')).toBe(2);
  });

  test('removal policies: RETAIN prod, SNAPSHOT staging, DESTROY dev', () => {
    const policy = (stage: 'dev' | 'staging' | 'prod') =>
      Object.values(
        template(stageApp(stage).stacks.database).findResources('AWS::RDS::DBCluster'),
      )[0]?.DeletionPolicy;
    expect(policy('prod')).toBe('Retain');
    expect(policy('staging')).toBe('Snapshot');
    expect(policy('dev')).toBe('Delete');
  });

  test('RDS Proxy requires TLS and uses the rotated credentials secret', () => {
    const t = template(stageApp('prod').stacks.database);
    t.hasResourceProperties('AWS::RDS::DBProxy', { RequireTLS: true, EngineFamily: 'POSTGRESQL' });
    // The owner's secret and the application role's, each rotated.
    t.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
    t.hasResourceProperties('AWS::RDS::DBProxyEndpoint', { TargetRole: 'READ_ONLY' });
  });

  test('the proxy admits only the API, migration and seed functions', () => {
    const t = template(stageApp('dev').stacks.database);
    const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (r) => r.Properties.FromPort === 5432,
    );
    // proxy: API + migration + seed; cluster: proxy only
    expect(ingress).toHaveLength(4);
    for (const rule of ingress) {
      expect(rule.Properties.CidrIp).toBeUndefined();
      expect(rule.Properties.SourceSecurityGroupId).toBeDefined();
    }
  });

  test('migrations run on deploy through a custom resource whose hash follows the folder', () => {
    const t = template(stageApp('dev').stacks.database);
    t.hasResourceProperties('Custom::DatabaseMigration', {
      MigrationsHash: Match.stringLikeRegexp('^[0-9a-f]{64}$'),
    });
    t.resourceCountIs('Custom::SeedData', 1);
    template(stageApp('prod').stacks.database).resourceCountIs('Custom::SeedData', 0);
  });

  test('an AWS Backup plan covers the database outside dev', () => {
    template(stageApp('prod').stacks.database).resourceCountIs('AWS::Backup::BackupPlan', 1);
    template(stageApp('staging').stacks.database).resourceCountIs('AWS::Backup::BackupPlan', 1);
    template(stageApp('dev').stacks.database).resourceCountIs('AWS::Backup::BackupPlan', 0);
  });

  test('the cluster and the proxy live in the isolated subnets', () => {
    const t = template(stageApp('prod').stacks.database);
    const subnetGroups = Object.values(t.findResources('AWS::RDS::DBSubnetGroup'));
    expect(subnetGroups).toHaveLength(1);
    const ids = JSON.stringify(subnetGroups[0]?.Properties.SubnetIds);
    expect(ids).toContain('isolatedSubnet');
    expect(ids).not.toMatch(/privateSubnet|publicSubnet/);
    const proxy = Object.values(t.findResources('AWS::RDS::DBProxy'))[0];
    expect(JSON.stringify(proxy?.Properties.VpcSubnetIds)).toContain('isolatedSubnet');
    expect(JSON.stringify(proxy?.Properties.VpcSubnetIds)).not.toMatch(
      /privateSubnet|publicSubnet/,
    );
    t.hasResourceProperties('AWS::RDS::DBInstance', { PubliclyAccessible: false });
  });

  test('the migration and seed handlers run inside the VPC; the seed reads the owner secret, the migration also the app role’s', () => {
    const t = template(stageApp('dev').stacks.database);
    const handlers = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([id]) =>
      /^(Migration|Seed)Handler/.test(id),
    );
    expect(handlers).toHaveLength(2);
    for (const [, fn] of handlers) {
      expect(JSON.stringify(fn.Properties.VpcConfig.SubnetIds)).toContain('privateSubnet');
      expect(fn.Properties.Environment.Variables).toMatchObject({ DATABASE_SSL: 'require' });
      expect(JSON.stringify(fn.Properties.Environment.Variables)).not.toContain('resolve:');
    }
    const readsOf = (prefix: string) =>
      Object.entries(t.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith(prefix))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
        .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))
        .flatMap((s) => [s.Resource].flat().map((r: { Ref: string }) => r.Ref))
        .sort();
    expect(readsOf('SeedHandler')).toEqual([
      expect.stringMatching(/^DatabaseClusterSecretAttachment/),
    ]);
    expect(readsOf('MigrationHandler')).toEqual([
      expect.stringMatching(/^DatabaseAppSecretAttachment/),
      expect.stringMatching(/^DatabaseClusterSecretAttachment/),
    ]);
  });

  test.each(STAGE_NAMES)(
    '%s: the API connects as the application role, registered with the proxy',
    (stage) => {
      const { database, api } = stageApp(stage).stacks;
      const t = template(database);
      const [proxy] = Object.values(t.findResources('AWS::RDS::DBProxy'));
      const auth = JSON.stringify(proxy?.Properties.Auth);
      expect(auth).toContain('DatabaseAppSecretAttachment');
      expect(auth).toContain('DatabaseClusterSecretAttachment');
      t.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"app_user"}' }),
      });
      const [fn] = Object.values(template(api).findResources('AWS::Lambda::Function'));
      const arn = JSON.stringify(fn?.Properties.Environment.Variables.DATABASE_SECRET_ARN);
      const exportName = JSON.parse(arn)['Fn::ImportValue'] as string;
      const outputs = Object.values(t.toJSON().Outputs ?? {}) as {
        Value: unknown;
        Export?: { Name: string };
      }[];
      const exported = outputs.find((o) => o.Export?.Name === exportName);
      expect(JSON.stringify(exported?.Value)).toContain('DatabaseAppSecretAttachment');
      const [migration] = Object.values(t.findResources('Custom::DatabaseMigration'));
      expect(JSON.stringify(migration?.Properties.AppSecretArn)).toContain(
        'DatabaseAppSecretAttachment',
      );
    },
  );

  test('a failed migration fails the deployment: the resource invokes the handler directly', () => {
    const t = template(stageApp('dev').stacks.database);
    const [resource] = Object.values(t.findResources('Custom::DatabaseMigration'));
    expect(JSON.stringify(resource?.Properties.ServiceToken)).toMatch(/MigrationHandlerFunction/);
    expect(resource?.DependsOn ?? []).toEqual(
      expect.arrayContaining([expect.stringMatching(/^DatabaseClusterProxy/)]),
    );
  });

  test.each(STAGE_NAMES)('%s: the proxy and the cluster are named after the stage', (stage) => {
    const t = template(stageApp(stage).stacks.database);
    t.hasResourceProperties('AWS::RDS::DBProxy', { DBProxyName: `hono-ai-backend-${stage}-proxy` });
    t.hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterIdentifier: `hono-ai-backend-${stage}`,
    });
  });
});
