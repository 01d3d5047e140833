/**
 * The deploy workflows and docs/deploying.md name stacks, outputs, roles and context keys
 * that the CDK app defines: a rename here must show up there.
 */
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { STAGE_CONFIGS } from '../src/config.ts';
import { DEPLOYMENT_CONTEXT } from '../src/deployment-context.ts';
import { REPO_ROOT } from '../src/lib/constructs/secure-lambda.ts';
import { releaseNames } from '../src/stacks/cicd-stack.ts';
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

describe('build once, promote', () => {
  const staging = read('.github/workflows/deploy-staging.yml');
  const production = read('.github/workflows/deploy-production.yml');

  test('staging deploys only after the CI workflow passed, from the assembly its build job uploaded', () => {
    expect(staging).toContain('uses: ./.github/workflows/ci.yml');
    expect(staging).toMatch(/build:\n(.*\n)*? {4}needs: validate\n/);
    expect(staging).toMatch(/deploy:\n(.*\n)*? {4}needs: build\n/);
    expect(staging).toContain('scripts/cdk.sh synth staging');
    expect(staging).toContain('scripts/cdk.sh synth prod');
    expect(staging).toContain('name: cloud-assembly');
  });

  test('prod deploys the assembly of the staging run of the same commit, never a new synth', () => {
    expect(production).not.toContain('cdk.sh synth');
    expect(production).toContain('--commit "$GITHUB_SHA"');
    expect(production).toMatch(/run-id: \$\{\{ steps\.staging\.outputs\.run-id \}\}/);
    expect(production).toContain('scripts/cdk.sh deploy prod');
  });

  test('the rollback shifts the live alias back through the prod CodeDeploy group', () => {
    const names = releaseNames(STAGE_CONFIGS.prod);
    expect(production).toContain(`FUNCTION_NAME: ${names.functionName}`);
    expect(production).toContain(`RELEASE_APPLICATION: ${names.applicationName}`);
    expect(production).toContain(`RELEASE_GROUP: ${names.deploymentGroupName}`);
    expect(production).toContain('aws deploy create-deployment');
    expect(production).not.toContain('Check out the previous version');
  });
});
