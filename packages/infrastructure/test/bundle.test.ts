/**
 * The one test that bundles: the dev stage synthesized with real (local esbuild) bundling,
 * so the asset CloudFormation deploys is the one measured here.
 */
import { describe, expect, test } from 'bun:test';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_BUNDLE_CEILING_BYTES, LAMBDA_BUNDLE } from '@backend/api/bundle';
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

describe('bundles (dev, local esbuild)', () => {
  // The project budget is 1 MiB (CORE_BUNDLE_BUDGET_BYTES); until the bundle meets it, the
  // deployed asset is held to the ceiling the API package's own test uses.
  test('the API bundle is ESM with the createRequire banner and within its size ceiling', () => {
    const dir = assetDirectory('api', 'Api');
    const file = join(dir, 'index.mjs');
    const bytes = statSync(file).size;
    expect(bytes).toBeGreaterThan(10_000);
    expect(bytes).toBeLessThanOrEqual(CORE_BUNDLE_CEILING_BYTES);
    expect(readFileSync(file, 'utf8').startsWith(LAMBDA_BUNDLE.banner)).toBe(true);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
  }, 120_000);

  test('the migration bundle carries the committed migrations', () => {
    const dir = assetDirectory('database', 'Migration');
    expect(existsSync(join(dir, 'index.mjs'))).toBe(true);
    expect(existsSync(join(dir, 'migrations', 'meta', '_journal.json'))).toBe(true);
  }, 120_000);
});
