import { describe, expect, test } from 'bun:test';
import { Template } from 'aws-cdk-lib/assertions';
import { CicdStack } from '../../src/stacks/cicd-stack.ts';
import { stageApp, template, testApp } from '../helpers/synth.ts';

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
    expect(subject('prod')).toBe('repo:example-owner/example-repo:environment:production');
    expect(subject('staging')).toBe('repo:example-owner/example-repo:environment:staging');
    expect(subject('dev')).toBe('repo:example-owner/example-repo:ref:refs/heads/main');
    for (const stage of ['dev', 'staging', 'prod'] as const)
      expect(subject(stage)).not.toContain('*');
  });

  test('one named role per stage, sessions of at most an hour', () => {
    for (const stage of ['dev', 'staging', 'prod'] as const) {
      template(stageApp(stage).stacks.cicd).hasResourceProperties('AWS::IAM::Role', {
        RoleName: `hono-ai-backend-${stage}-github-deploy`,
        MaxSessionDuration: 3600,
      });
    }
  });

  test('with createGithubOidcProvider off, the role trusts the account’s existing provider', () => {
    const { config } = stageApp('staging');
    const stack = new CicdStack(testApp(), 'Shared', {
      env: { account: '123456789012', region: 'eu-west-1' },
      config: { ...config, features: { ...config.features, createGithubOidcProvider: false } },
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    const [role] = Object.values(t.findResources('AWS::IAM::Role'));
    expect(JSON.stringify(role?.Properties.AssumeRolePolicyDocument)).toContain(
      'oidc-provider/token.actions.githubusercontent.com',
    );
  });

  test('a wildcard subject is refused by the stack itself', () => {
    const { config } = stageApp('prod');
    expect(
      () =>
        new CicdStack(testApp(), 'Wild', {
          config: { ...config, github: { ...config.github, subject: 'repo:x/*:*' } },
        }),
    ).toThrow('wildcard');
  });

  test('the deploy role may only assume the CDK bootstrap roles (and roll the live alias back)', () => {
    const roles = template(stageApp('prod').stacks.cicd).findResources('AWS::IAM::Role');
    const [role] = Object.values(roles);
    const policies = role?.Properties.Policies as {
      PolicyName: string;
      PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
    }[];
    const rollback = policies.find((p) => p.PolicyName === 'RollBackTheLiveAlias');
    const rollbackActions = rollback?.PolicyDocument.Statement.flatMap((s) => [s.Action].flat());
    expect(rollbackActions?.sort()).toEqual([
      'codedeploy:CreateDeployment',
      'codedeploy:GetApplicationRevision',
      'codedeploy:GetDeployment',
      'codedeploy:GetDeploymentConfig',
      'codedeploy:RegisterApplicationRevision',
      'lambda:GetAlias',
    ]);
    const rollbackResources = JSON.stringify(
      rollback?.PolicyDocument.Statement.map((s) => s.Resource),
    );
    expect(rollbackResources).toContain(
      'deploymentgroup:hono-ai-backend-prod-api/hono-ai-backend-prod-api-live',
    );
    expect(rollbackResources).toContain('function:hono-ai-backend-prod-api');
    expect(rollbackResources).not.toContain('"*"');
    const statements = policies
      .filter((p) => p.PolicyName !== 'RollBackTheLiveAlias')
      .flatMap((p) => p.PolicyDocument.Statement) as { Action: string[]; Resource: unknown }[];
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    const resources = JSON.stringify(statements[0]?.Resource);
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
