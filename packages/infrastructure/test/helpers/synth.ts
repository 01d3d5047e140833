/**
 * Shared synthesized apps: each stage is built once per test process (bundling skipped,
 * Docker made impossible), then every test file reads the same templates.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import committedContext from '../../cdk.context.json' with { type: 'json' };
import type { StageName } from '../../src/config.ts';
import { REPO_ROOT } from '../../src/lib/constructs/secure-lambda.ts';
import { APP_CONTEXT, createStageApp, type StageApp } from '../../src/stage.ts';
import deploymentContexts from '../fixtures/deployment-context.json' with { type: 'json' };
import synthTarget from '../fixtures/synth-target.json' with { type: 'json' };

/** Any attempt at Docker bundling fails loudly instead of running. */
process.env.CDK_DOCKER = '/bin/false';
// Local bundling runs esbuild through `bun run`; make the workspace's bun reachable.
process.env.PATH = `${REPO_ROOT}node_modules/.bin:${process.env.PATH ?? ''}`;

/** Context that skips asset bundling (template tests do not need the code). */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** The committed lookups (availability zones) the CLI reads from `cdk.context.json`. */
export const COMMITTED_CONTEXT: Readonly<Record<string, unknown>> = committedContext;

/** The test deployment settings of each stage (names under the reserved `.test` domain). */
export const TEST_DEPLOYMENT: Readonly<Record<StageName, Readonly<Record<string, string>>>> =
  deploymentContexts;
/** The account and region of the offline synth (`scripts/synth.ts`), never us-east-1. */
export const TEST_ENV = {
  CDK_DEFAULT_ACCOUNT: synthTarget.account,
  CDK_DEFAULT_REGION: synthTarget.region,
};

const apps = new Map<string, StageApp>();

/** A stage's app built from the test deployment settings plus `context` (not synthesized). */
export function buildStageApp(
  stage: StageName,
  context: Readonly<Record<string, unknown>> = {},
): StageApp {
  return createStageApp(stage, {
    env: TEST_ENV,
    context: { ...COMMITTED_CONTEXT, ...TEST_DEPLOYMENT[stage], ...SKIP_BUNDLING, ...context },
  });
}

/** The stage's app, synthesized once. */
export function stageApp(stage: StageName, options: { bundle?: boolean } = {}): StageApp {
  const key = `${stage}:${options.bundle ? 'bundle' : 'skip'}`;
  let built = apps.get(key);
  if (!built) {
    built = createStageApp(stage, {
      env: TEST_ENV,
      context: {
        ...COMMITTED_CONTEXT,
        ...TEST_DEPLOYMENT[stage],
        ...(options.bundle ? {} : SKIP_BUNDLING),
      },
    });
    built.app.synth();
    apps.set(key, built);
  }
  return built;
}

export function template(stack: Stack): Template {
  return Template.fromStack(stack);
}

/** A bare app for construct and aspect tests (bundling skipped). */
export function testApp(): App {
  return new App({ context: { ...APP_CONTEXT, ...SKIP_BUNDLING } });
}

export function testStack(app: App = testApp(), id = 'Test'): Stack {
  return new Stack(app, id, { env: { account: '123456789012', region: 'eu-west-1' } });
}
