/**
 * The one test that bundles: the dev stage synthesized with real (local esbuild) bundling,
 * so the asset CloudFormation deploys is the one measured here.
 */
import { describe, expect, test } from 'bun:test';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CORE_BUNDLE_BUDGET_BYTES,
  LAMBDA_BUNDLE,
  lambdaAssets,
  measureBundle,
} from '@backend/api/bundle';
import { stageApp } from './helpers/synth.ts';

function assetDirectory(stackKey: 'api' | 'database', logicalPrefix: string): string {
  const { app, stacks } = stageApp('dev', { bundle: true });
  const assembly = app.synth();
  const stack = stacks[stackKey];
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
  };
  const entry = Object.entries(template.Resources).find(
    ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(logicalPrefix),
  );
  const hash = entry?.[1].Properties.Code?.S3Key?.replace(/\.zip$/, '');
  if (!hash) throw new Error(`no asset for ${logicalPrefix}`);
  return join(assembly.directory, `asset.${hash}`);
}

/**
 * Loads the asset's `index.mjs` under Node as the Lambda runtime does (`awslambda` exists
 * first), configured as a deployed stage; answers `typeof handler`. Init builds the deps
 * (postgres.js and ioredis connect lazily, so nothing is reached).
 */
async function loadHandler(
  dir: string,
  functionName: string,
  env: Record<string, string> = {},
): Promise<string> {
  const script = `globalThis.awslambda = { streamifyResponse: (h) => h, HttpResponseStream: { from: (s) => s } };
      const { handler } = await import(process.argv[1]);
      process.stdout.write(typeof handler, () => process.exit(0));`;
  const entry = pathToFileURL(join(dir, 'index.mjs')).href;
  const proc = Bun.spawn(['node', '--input-type=module', '-e', script, entry], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      STAGE: 'prod',
      EMAIL_PROVIDER: 'ses',
      DATABASE_URL: 'postgres://api@127.0.0.1:5432/api',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PUBLIC_URL: 'https://api.example.com',
      BETTER_AUTH_SECRET: 'a'.repeat(64),
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [code, out, err] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  if (code !== 0 || err !== '') throw new Error(`node exited ${code}: ${err}`);
  return out;
}

describe('bundles (dev, local esbuild)', () => {
  // The asset is split (the function's afterBundling hook): index.mjs and chunks/. Its core,
  // index.mjs and the chunks it imports statically, is what every cold start loads.
  test('the API bundle is split ESM with the createRequire banner, its core within the 1 MiB budget', async () => {
    const dir = assetDirectory('api', 'Api');
    const bundle = await measureBundle(dir);
    expect(bundle.files.some((file) => file.path.startsWith('chunks/'))).toBe(true);
    expect(bundle.lazyBytes).toBeGreaterThan(0);
    expect(bundle.coreBytes).toBeGreaterThan(10_000);
    expect(bundle.coreBytes).toBeLessThanOrEqual(CORE_BUNDLE_BUDGET_BYTES);
    for (const file of bundle.files) {
      const path = join(dir, file.path);
      expect(readFileSync(path, 'utf8').startsWith(LAMBDA_BUNDLE.banner)).toBe(true);
      expect(existsSync(`${path}.map`)).toBe(true);
    }
  }, 120_000);

  test("the API asset carries the docs page's Scalar as a static file beside the code", () => {
    const dir = assetDirectory('api', 'Api');
    for (const asset of lambdaAssets()) {
      expect(statSync(join(dir, asset.to)).size).toBe(statSync(asset.from).size);
    }
  }, 120_000);

  test('the API asset loads under Node as the runtime loads it, configured as a deployed stage', async () => {
    expect(await loadHandler(assetDirectory('api', 'Api'), 'api')).toBe('function');
  }, 120_000);

  test('the worker asset is the worker entry, split the same way, and loads under Node as a deployed stage', async () => {
    const dir = assetDirectory('api', 'JobsWorker');
    expect(dir).not.toBe(assetDirectory('api', 'Api'));
    const bundle = await measureBundle(dir);
    expect(bundle.files.some((file) => file.path.startsWith('chunks/'))).toBe(true);
    expect(bundle.coreBytes).toBeLessThanOrEqual(CORE_BUNDLE_BUDGET_BYTES);
    for (const file of bundle.files) {
      expect(readFileSync(join(dir, file.path), 'utf8').startsWith(LAMBDA_BUNDLE.banner)).toBe(
        true,
      );
    }
    // The worker serves no docs page: no static files beside its code.
    expect(existsSync(join(dir, 'assets'))).toBe(false);
    expect(
      await loadHandler(dir, 'worker', {
        JOBS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/jobs',
      }),
    ).toBe('function');
  }, 120_000);

  test('the migration bundle carries the committed migrations', () => {
    const dir = assetDirectory('database', 'Migration');
    expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
    expect(existsSync(join(dir, 'migrations', 'meta', '_journal.json'))).toBe(true);
  }, 120_000);
});
