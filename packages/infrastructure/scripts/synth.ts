#!/usr/bin/env bun
/**
 * Offline synthesis of dev, staging and prod into cdk.out/<stage>, with cdk-nag as a
 * synthesis validation (what `just cdk synth`, `.ci/run` and CI run). The deployment
 * settings come from test/fixtures/deployment-context.json: names under the reserved `.test`
 * domain, never a deployable configuration. A real deployment passes its own
 * (scripts/cdk.sh, docs/deploying.md).
 */
import { STAGE_NAMES } from '../src/config.ts';
import contexts from '../test/fixtures/deployment-context.json' with { type: 'json' };
// Synthesized as deployed: a fixed account and a region other than us-east-1, so the WAF and
// certificate reach the edge stack through real cross-region references, and the VPC's
// availability zones come from the committed `cdk.context.json` (no lookup, no credentials).
import target from '../test/fixtures/synth-target.json' with { type: 'json' };

for (const stage of STAGE_NAMES) {
  const context = Object.entries({ ...contexts[stage], ...target }).flatMap(([key, value]) => [
    '-c',
    `${key}=${value}`,
  ]);
  const run = Bun.spawnSync(
    [
      'cdk',
      'synth',
      '--no-notices',
      '--quiet',
      '--app',
      `bun src/bin/deploy-${stage}.ts`,
      '--output',
      `cdk.out/${stage}`,
      ...context,
    ],
    {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      stdout: 'inherit',
      stderr: 'inherit',
    },
  );
  if (run.exitCode !== 0) {
    console.error(`cdk synth ${stage} failed`);
    process.exit(run.exitCode ?? 1);
  }
  console.log(`synthesized ${stage} into cdk.out/${stage}`);
}
