import { describe, expect, test } from 'bun:test';
import { stageApp, template } from '../helpers/synth.ts';

describe('CicdStack', () => {
  test('GitHub OIDC provider with the STS audience', () => {
    template(stageApp('prod').stacks.cicd).hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  test('each stage trusts only this repository and its protected environment or branch', () => {
    const subject = (stage: 'dev' | 'staging' | 'prod') => {
      const roles = template(stageApp(stage).stacks.cicd).findResources('AWS::IAM::Role');
      const [role] = Object.values(roles);
      const condition =
        role?.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals;
      expect(condition['token.actions.githubusercontent.com:aud']).toBe('sts.amazonaws.com');
      return condition['token.actions.githubusercontent.com:sub'];
    };
    expect(subject('prod')).toBe('repo:example-org/hono-ai-backend:environment:production');
    expect(subject('staging')).toBe('repo:example-org/hono-ai-backend:environment:staging');
    expect(subject('dev')).toBe('repo:example-org/hono-ai-backend:ref:refs/heads/main');
    for (const stage of ['dev', 'staging', 'prod'] as const)
      expect(subject(stage)).not.toContain('*');
  });

  test('the deploy role may only assume the CDK bootstrap roles', () => {
    const roles = template(stageApp('prod').stacks.cicd).findResources('AWS::IAM::Role');
    const [role] = Object.values(roles);
    const statements = role?.Properties.Policies.flatMap(
      (p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement,
    );
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    const resources = JSON.stringify(statements[0].Resource);
    for (const kind of ['deploy', 'file-publishing', 'image-publishing', 'lookup']) {
      expect(resources).toContain(`:role/cdk-hnb659fds-${kind}-role-`);
    }
    expect(resources).not.toContain('"*"');
    for (const statement of statements) {
      for (const action of [statement.Action].flat())
        expect(String(action).startsWith('iam:')).toBe(false);
    }
  });
});
