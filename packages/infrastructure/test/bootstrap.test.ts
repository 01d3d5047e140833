/**
 * The least-privilege deploy: the committed CloudFormation execution policy must cover every
 * resource type the stacks of every stage create (a new type fails here before it fails a
 * deploy), the roles the stacks create carry the deploy boundary, and neither policy lets the
 * execution role hand out long-lived credentials or rewrite its own limits.
 */
import { describe, expect, test } from 'bun:test';
import executionPolicy from '../bootstrap/execution-policy.json' with { type: 'json' };
import boundary from '../bootstrap/permissions-boundary.json' with { type: 'json' };
import { DEPLOY_BOUNDARY_NAME, STAGE_NAMES } from '../src/config.ts';
import { stageApp, template } from './helpers/synth.ts';

/** The IAM actions CloudFormation needs for each service namespace of resource types. */
const SERVICE_OF: Readonly<Record<string, string>> = {
  'AWS::ApplicationAutoScaling': 'application-autoscaling',
  'AWS::Backup': 'backup',
  'AWS::Budgets': 'budgets',
  'AWS::CertificateManager': 'acm',
  'AWS::CloudFront': 'cloudfront',
  'AWS::CloudWatch': 'cloudwatch',
  'AWS::CodeDeploy': 'codedeploy',
  'AWS::EC2': 'ec2',
  'AWS::ElastiCache': 'elasticache',
  'AWS::Events': 'events',
  'AWS::IAM': 'iam',
  'AWS::KMS': 'kms',
  'AWS::Lambda': 'lambda',
  'AWS::Logs': 'logs',
  'AWS::RDS': 'rds',
  'AWS::Route53': 'route53',
  'AWS::S3': 's3',
  'AWS::SecretsManager': 'secretsmanager',
  'AWS::SES': 'ses',
  'AWS::SNS': 'sns',
  'AWS::SQS': 'sqs',
  'AWS::SSM': 'ssm',
  'AWS::Serverless': 'serverlessrepo',
  'AWS::WAFv2': 'wafv2',
};

/** The action a resource type needs: its service's create action (custom resources invoke a function). */
function actionFor(type: string): string | null {
  if (type === 'AWS::CDK::Metadata') return null;
  if (type.startsWith('Custom::')) return 'lambda:InvokeFunction';
  const namespace = type.split('::').slice(0, 2).join('::');
  const service = SERVICE_OF[namespace];
  if (!service) throw new Error(`No IAM service known for ${type}: add it here and to the policy`);
  const resource = type.split('::')[2] ?? '';
  if (type === 'AWS::IAM::Policy') return 'iam:PutRolePolicy';
  if (type === 'AWS::IAM::OIDCProvider') return 'iam:CreateOpenIDConnectProvider';
  if (service === 'serverlessrepo') return 'serverlessrepo:CreateCloudFormationTemplate';
  return `${service}:Create${resource}`;
}

const allowed = executionPolicy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) =>
  [s.Action].flat(),
);
const matches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test(
    action,
  );

describe.each(STAGE_NAMES)('the execution policy and %s', (stage) => {
  test('covers every resource type of every stack', () => {
    const types = new Set<string>();
    for (const stack of Object.values(stageApp(stage).stacks)) {
      for (const resource of Object.values(template(stack).toJSON().Resources ?? {}) as {
        Type: string;
      }[]) {
        types.add(resource.Type);
      }
    }
    const missing = [...types]
      .map((type) => ({ type, action: actionFor(type) }))
      .filter(({ action }) => action !== null && !allowed.some((p) => matches(p, action ?? '')));
    expect(missing).toEqual([]);
    expect(types.size).toBeGreaterThan(30);
  });

  test('every role the stacks create carries the deploy boundary', () => {
    for (const stack of Object.values(stageApp(stage).stacks)) {
      for (const [id, role] of Object.entries(template(stack).findResources('AWS::IAM::Role'))) {
        // CDK adds its cross-region reference providers after aspects run (their roles are
        // named after the stack, so the execution policy still scopes them).
        if (id.startsWith('CustomCrossRegionExport')) continue;
        expect({ id, boundary: JSON.stringify(role.Properties.PermissionsBoundary) }).toEqual({
          id,
          boundary: expect.stringContaining(`:policy/${DEPLOY_BOUNDARY_NAME}`),
        });
      }
    }
  });
});

describe('the execution policy', () => {
  test('grants no IAM wildcard and no IAM user or access-key action', () => {
    const iam = allowed.filter((action) => action.startsWith('iam:'));
    expect(iam).not.toContain('iam:*');
    for (const action of iam) {
      expect(action).not.toMatch(/User|AccessKey|LoginProfile|^iam:(Create|Delete)Policy/);
    }
    expect(allowed).not.toContain('*');
  });

  test('creates and edits only the stacks’ own roles (by name)', () => {
    for (const statement of executionPolicy.Statement) {
      const actions = [statement.Action].flat();
      if (
        !actions.some((a) => /^iam:(CreateRole|PutRolePolicy|AttachRolePolicy|PassRole)$/.test(a))
      )
        continue;
      for (const resource of [statement.Resource].flat()) {
        expect(resource).toMatch(/:role\/(HonoAiBackend|hono-ai-backend)-\*$/);
      }
    }
  });
});

describe('the permissions boundary', () => {
  const denied = boundary.Statement.filter((s) => s.Effect === 'Deny').flatMap((s) =>
    [s.Action].flat(),
  );

  test('denies long-lived credentials and removing a boundary', () => {
    for (const action of [
      'iam:CreateUser',
      'iam:CreateAccessKey',
      'iam:DeleteRolePermissionsBoundary',
    ]) {
      expect(denied).toContain(action);
    }
  });

  test('protects itself, the execution policy and the CDK bootstrap roles', () => {
    const resources = boundary.Statement.filter((s) => s.Effect === 'Deny').flatMap((s) =>
      [s.Resource].flat(),
    );
    expect(resources).toContain(`arn:aws:iam::*:policy/${DEPLOY_BOUNDARY_NAME}`);
    expect(resources).toContain('arn:aws:iam::*:policy/hono-ai-backend-cfn-execution');
    expect(resources).toContain('arn:aws:iam::*:role/cdk-*');
  });
});
