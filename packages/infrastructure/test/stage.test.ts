import { describe, expect, test } from 'bun:test';
import { Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { STAGE_NAMES, type StageName } from '../src/config.ts';
import { listAcknowledgements } from '../src/lib/acknowledge.ts';
import { BackupAspect } from '../src/lib/aspects/backup-aspect.ts';
import { ComplianceAspect } from '../src/lib/aspects/compliance-aspect.ts';
import { CostAspect } from '../src/lib/aspects/cost-aspect.ts';
import { MonitoringAspect } from '../src/lib/aspects/monitoring-aspect.ts';
import { SecurityAspect } from '../src/lib/aspects/security-aspect.ts';
import { TaggingAspect } from '../src/lib/aspects/tagging-aspect.ts';
import { stageApp } from './helpers/synth.ts';

/**
 * Every acknowledgement is a visible decision: adding one changes these numbers.
 * dev has extra ones (no deletion protection, single-node cache); prod has no seed job.
 */
const ACKNOWLEDGEMENTS: Record<StageName, number> = { dev: 32, staging: 32, prod: 25 };

/** Every finding of both packs, acknowledged or not. */
function allFindings(scope: IConstruct): { id: string; path: string }[] {
  const original: unknown = Reflect.get(NagPack.prototype, 'isAcknowledged');
  Reflect.set(NagPack.prototype, 'isAcknowledged', () => false);
  try {
    return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack
        .validateScope(scope)
        .violations.flatMap((v) =>
          v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? '' })),
        ),
    );
  } finally {
    Reflect.set(NagPack.prototype, 'isAcknowledged', original);
  }
}

describe.each(STAGE_NAMES)('stage %s', (stage) => {
  test('cdk-nag AwsSolutions and Serverless: no unacknowledged error', () => {
    const { app } = stageApp(stage);
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      const report = pack.validateScope(app);
      const errors = report.violations.filter((v) => v.severity === 'error');
      expect(
        errors.map(
          (v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`,
        ),
      ).toEqual([]);
    }
  });

  test('acknowledgements: pinned count, exact finding ids, resource-scoped, specific reasons', () => {
    const { app } = stageApp(stage);
    const acks = listAcknowledgements(app);
    expect(acks.length).toBe(ACKNOWLEDGEMENTS[stage]);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^(AwsSolutions|Serverless)-[A-Za-z0-9]+(\[.+\])?$/);
      // Scoped to a construct inside a stack, never to a stack or the app.
      expect(ack.path.replace(/^\//, '').split('/').length).toBeGreaterThanOrEqual(2);
      expect(ack.reason.length).toBeGreaterThan(40);
    }
  });

  test('every acknowledgement matches a real finding on its resource (none is stale)', () => {
    const { app } = stageApp(stage);
    const findings = allFindings(app);
    const stale = listAcknowledgements(app).filter((ack) => {
      const path = ack.path.replace(/^\//, '');
      return !findings.some(
        (f) => f.id === ack.id && (f.path === path || f.path.startsWith(`${path}/`)),
      );
    });
    expect(stale).toEqual([]);
  });

  test('the house aspects are wired into the stage app and report no error', () => {
    const { app, stacks } = stageApp(stage);
    const kinds = Aspects.of(app).all.map((aspect) => aspect.constructor);
    for (const kind of [
      TaggingAspect,
      SecurityAspect,
      CostAspect,
      ComplianceAspect,
      BackupAspect,
      MonitoringAspect,
    ]) {
      expect(kinds).toContain(kind);
    }
    const assembly = app.synth();
    const errors = assembly.stacks.flatMap((s) => s.messages.filter((m) => m.level === 'error'));
    expect(errors.map((m) => `${m.id}: ${String(m.entry.data)}`)).toEqual([]);
    expect(Object.keys(stacks)).toHaveLength(9);
  });
});
