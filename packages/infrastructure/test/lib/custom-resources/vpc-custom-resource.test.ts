import { describe, expect, test } from 'bun:test';
import { MIGRATIONS_FOLDER } from '@backend/shared/migrations';
import { CfnResource, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DatabaseMigration } from '../../../src/lib/custom-resources/database-migration.ts';
import { VpcCustomResource } from '../../../src/lib/custom-resources/vpc-custom-resource.ts';
import { testStack } from '../../helpers/synth.ts';

const ENTRY = new URL('../../../src/lib/custom-resources/cache-warming.handler.ts', import.meta.url)
  .pathname;

describe('VpcCustomResource', () => {
  test('its own security group, a traced function in the private subnets, reading only its secrets', () => {
    const stack = testStack();
    const vpc = new Vpc(stack, 'Vpc', { natGateways: 1 });
    const allowed = new Secret(stack, 'Allowed');
    new Secret(stack, 'Other');
    new VpcCustomResource(stack, 'Job', {
      vpc,
      entry: ENTRY,
      description: 'A job',
      securityGroupDescription: 'Job: reaches its store',
      resourceType: 'Custom::Job',
      properties: { Version: 2 },
      timeout: Duration.minutes(1),
      environment: { TARGET: 'host' },
      secrets: [allowed],
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Job: reaches its store',
    });
    const [fn] = Object.values(t.findResources('AWS::Lambda::Function'));
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: 60,
      Environment: { Variables: { TARGET: 'host' } },
    });
    expect(JSON.stringify(fn?.Properties.VpcConfig.SubnetIds)).toContain('PrivateSubnet');
    const reads = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(reads.map((s) => s.Resource)).toEqual([{ Ref: expect.stringMatching(/^Allowed/) }]);
    t.hasResourceProperties('Custom::Job', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobHandlerFunction'), 'Arn'] },
      Version: 2,
    });
  });

  test('refuses a malformed resource type', () => {
    const stack = testStack();
    expect(
      () =>
        new VpcCustomResource(stack, 'Job', {
          vpc: new Vpc(stack, 'Vpc', { natGateways: 1 }),
          entry: ENTRY,
          description: 'A job',
          securityGroupDescription: 'A job',
          resourceType: 'Custom::has spaces',
        }),
    ).toThrow('Invalid custom resource type');
  });

  test('the deploy-time jobs keep the logical ids they had before sharing it (no replacement)', () => {
    const stack = testStack();
    const vpc = new Vpc(stack, 'Vpc', { natGateways: 1 });
    const migration = new DatabaseMigration(stack, 'Migration', {
      vpc,
      host: 'proxy',
      databaseName: 'app',
      secret: new Secret(stack, 'Db'),
      migrationsFolder: MIGRATIONS_FOLDER,
    });
    const ids = Object.keys(Template.fromStack(stack).toJSON().Resources);
    // The ids the same resources get at the paths they had before (no `Default` layer).
    const before = testStack(undefined, 'Before');
    const logicalIdAt = (...path: string[]) => {
      let scope: Construct = before;
      for (const id of path.slice(0, -1)) {
        scope = (scope.node.tryFindChild(id) as Construct | undefined) ?? new Construct(scope, id);
      }
      return before.getLogicalId(
        new CfnResource(scope, path.at(-1) ?? '', {
          type: 'AWS::CloudFormation::WaitConditionHandle',
        }),
      );
    };
    expect(ids).toEqual(
      expect.arrayContaining([
        logicalIdAt('Migration', 'Handler', 'Function', 'Resource'),
        logicalIdAt('Migration', 'SecurityGroup', 'Resource'),
        logicalIdAt('Migration', 'Resource', 'Default'),
      ]),
    );
    expect(migration.handler.function.node.path).toBe('Test/Migration/Default/Handler/Function');
  });
});
