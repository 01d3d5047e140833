/**
 * The deploy workflows and docs/deploying.md name stacks, outputs, roles and context keys
 * that the CDK app defines: a rename here must show up there.
 */
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { DEPLOYMENT_CONTEXT, STAGE_CONFIGS } from '../src/config.ts';
import { REPO_ROOT } from '../src/lib/constructs/secure-lambda.ts';
import { stageApp, template } from './helpers/synth.ts';

const read = (path: string) => readFileSync(`${REPO_ROOT}${path}`, 'utf8');
const DEPLOYING = read('docs/deploying.md');

describe.each([
  ['staging', '.github/workflows/deploy-staging.yml'],
  ['prod', '.github/workflows/deploy-production.yml'],
] as const)('%s deploys', (stage, workflow) => {
  test('the workflow reads the PublicUrl output of the stage’s Edge stack', () => {
    const { edge } = stageApp(stage).stacks;
    expect(Object.keys(template(edge).toJSON().Outputs)).toContain('PublicUrl');
    expect(read(workflow)).toContain(`."${edge.stackName}".PublicUrl`);
  });

  test('the docs name the deploy role and the sub claim it trusts', () => {
    const { cicd } = stageApp(stage).stacks;
    const [role] = Object.values(template(cicd).findResources('AWS::IAM::Role'));
    expect(DEPLOYING).toContain(`:role/${role?.Properties.RoleName}`);
    expect(DEPLOYING).toContain(`repo:<owner>/<repo>:${STAGE_CONFIGS[stage].githubTrust}`);
    expect(Object.keys(template(cicd).toJSON().Outputs)).toContain('DeployRoleArn');
  });
});

test('the docs list every deployment setting', () => {
  for (const { key } of Object.values(DEPLOYMENT_CONTEXT))
    expect(DEPLOYING).toContain(`\`${key}\``);
});
