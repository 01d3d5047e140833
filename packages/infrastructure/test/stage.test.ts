import { describe, expect, test } from 'bun:test';
import { Aspects } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
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
import pinnedAcknowledgements from './fixtures/nag-acknowledgements.json' with { type: 'json' };
import { buildStageApp, stageApp } from './helpers/synth.ts';

/**
 * Every acknowledgement is a visible decision: adding, removing or moving one changes these
 * numbers and the pinned list (`fixtures/nag-acknowledgements.json`, construct path and finding
 * id). dev has extra ones (no deletion protection, single-node cache) and no AI provider
 * secrets; staging has both provider secrets and a backup plan; prod has no seed job and no
 * LangSmith secret. Each deploy-time job (migration, seed, cache warming) has retries off
 * without a failure destination. The Lambda@Edge signer has five (runtime, no DLQ, no
 * tracing, managed log policy); the CodeDeploy release role one (its managed policy); the
 * rotation-event dead-letter queue two. Background jobs add eleven: the worker function's
 * seven (the API's six, plus its SQS mapping, which takes no failure destination), the job
 * dead-letter queue's one (no redrive of its own), CDK's bucket-notifications handler's one
 * (its managed log policy), and the users' object prefix on the API's and the worker's
 * policies (one IAM5 each). An alarm email adds four: the dead-letter queues of
 * its two subscriptions (the main-region topic and the us-east-1 edge topic).
 */
const ACKNOWLEDGEMENTS: Record<StageName, number> = { dev: 52, staging: 54, prod: 45 };
const ALARM_EMAIL_ACKNOWLEDGEMENTS = 4;

const pinnedList = (scope: IConstruct) =>
  listAcknowledgements(scope)
    .map((ack) => `${ack.path.replace(/^\//, '')} ${ack.id}`)
    .sort();

function nagErrors(scope: IConstruct): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.filter((v) => v.severity === 'error')
      .map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`),
  );
}

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
    expect(nagErrors(stageApp(stage).app)).toEqual([]);
  });

  test('the acknowledgements are exactly the pinned ones (construct path and finding id)', () => {
    expect(pinnedList(stageApp(stage).app)).toEqual(pinnedAcknowledgements[stage]);
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
    expect(Object.keys(stacks)).toHaveLength(10);
  });
});

describe('an alarm email (-c alarmEmail=…)', () => {
  const built = buildStageApp('prod', { alarmEmail: 'ops@example.test' });
  // Synthesis runs the nag packs as a validation: it throws on an unacknowledged error.
  built.app.synth();
  const monitoring = Template.fromStack(built.stacks.monitoring);

  test('subscribes the address with a dead-letter queue, and passes cdk-nag', () => {
    monitoring.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.test',
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
    });
    monitoring.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    expect(nagErrors(built.app)).toEqual([]);
  });

  test('undelivered alarm emails raise an alarm; four more acknowledgements, two on each queue', () => {
    monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
    });
    const acks = listAcknowledgements(built.app);
    expect(acks.length).toBe(ACKNOWLEDGEMENTS.prod + ALARM_EMAIL_ACKNOWLEDGEMENTS);
    const added = pinnedList(built.app).filter(
      (line) => !pinnedAcknowledgements.prod.includes(line),
    );
    expect(added).toEqual([
      'HonoAiBackend-Prod-EdgeMonitoring/AlarmEmailDeadLetters AwsSolutions-SQS3',
      'HonoAiBackend-Prod-EdgeMonitoring/AlarmEmailDeadLetters Serverless-SQSRedrivePolicy',
      'HonoAiBackend-Prod-Monitoring/AlarmEmailDeadLetters AwsSolutions-SQS3',
      'HonoAiBackend-Prod-Monitoring/AlarmEmailDeadLetters Serverless-SQSRedrivePolicy',
    ]);
  });

  test('without one, no subscription or queue exists (but the rotation-event dead letters)', () => {
    const t = Template.fromStack(stageApp('prod').stacks.monitoring);
    t.resourceCountIs('AWS::SNS::Subscription', 0);
    const queues = Object.keys(t.findResources('AWS::SQS::Queue'));
    expect(queues.filter((id) => !id.startsWith('AlarmEventDeadLetters'))).toEqual([]);
  });
});
