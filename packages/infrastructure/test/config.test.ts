import { describe, expect, test } from 'bun:test';
import { RemovalPolicy } from 'aws-cdk-lib';
import { STAGE_CONFIGS, STAGE_NAMES } from '../src/config.ts';
import {
  ConfigError,
  DEPLOYMENT_CONTEXT,
  resolveConfig,
  validateConfig,
} from '../src/deployment-context.ts';
import { buildStageApp, TEST_DEPLOYMENT } from './helpers/synth.ts';

const context = (values: Readonly<Record<string, string>>) => (key: string) => values[key];

describe('config', () => {
  test('removal policies: RETAIN prod, SNAPSHOT staging, DESTROY dev; NAT 1 in dev, per AZ in prod', () => {
    expect(STAGE_CONFIGS.prod.dataRemovalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(STAGE_CONFIGS.staging.dataRemovalPolicy).toBe(RemovalPolicy.SNAPSHOT);
    expect(STAGE_CONFIGS.dev.dataRemovalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(STAGE_CONFIGS.dev.network.natGateways).toBe(1);
    expect(STAGE_CONFIGS.prod.network.natGateways).toBe(STAGE_CONFIGS.prod.network.maxAzs);
  });

  test('no deployment setting is committed: the stage defaults hold no domain, zone, repository or address', () => {
    const committed = JSON.stringify(STAGE_CONFIGS);
    for (const word of [
      'example',
      'domain',
      'hostedZone',
      'githubOwner',
      'repo:',
      'alarmEmail',
      '@',
    ]) {
      expect(committed).not.toContain(word);
    }
  });

  test.each(STAGE_NAMES)(
    '%s refuses to synthesize without its deployment settings, naming each',
    (stage) => {
      let error: unknown;
      try {
        resolveConfig(stage, { env: {}, context: () => undefined });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      for (const spec of Object.values(DEPLOYMENT_CONTEXT).filter((s) => s.required)) {
        expect(message).toContain(`${spec.key} is missing (-c ${spec.key}=`);
      }
      expect(message).toContain('docs/deploying.md');
      // The CDK app itself fails the same way (the bin entries call createStageApp).
      expect(() =>
        buildStageApp(
          stage,
          Object.fromEntries(Object.keys(TEST_DEPLOYMENT[stage]).map((k) => [k, ''])),
        ),
      ).toThrow(ConfigError);
    },
  );

  test('malformed settings are refused with what was expected', () => {
    const values = { ...TEST_DEPLOYMENT.prod };
    const bad = (key: string, value: string) => () =>
      resolveConfig('prod', { env: {}, context: context({ ...values, [key]: value }) });
    expect(bad('domainName', 'https://api.example.test')).toThrow(
      'domainName "https://api.example.test" is malformed',
    );
    expect(bad('hostedZoneId', 'zone-1')).toThrow('hostedZoneId');
    expect(bad('githubOwner', '*')).toThrow('githubOwner');
    expect(bad('alarmEmail', 'not-an-address')).toThrow('alarmEmail');
    expect(bad('account', '12345')).toThrow('account');
    expect(bad('domainName', 'api.other.test')).toThrow(
      'is not inside the hosted zone example.test',
    );
  });

  test('context and environment: domain, repository, account and region', () => {
    const config = resolveConfig('prod', {
      env: { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'eu-central-1' },
      context: context({ ...TEST_DEPLOYMENT.prod, githubOwner: 'acme', githubRepo: 'api' }),
    });
    expect(config.account).toBe('111111111111');
    expect(config.region).toBe('eu-central-1');
    expect(config.publicUrl).toBe('https://api.example.test');
    expect(config.domain).toEqual({
      name: 'api.example.test',
      hostedZoneId: 'Z00000000000000TEST',
      hostedZoneName: 'example.test',
    });
    expect(config.github.subject).toBe('repo:acme/api:environment:production');
    expect(config.alarmEmail).toBeUndefined();
  });

  test('no credentials needed: without an account the config is still valid', () => {
    expect(
      resolveConfig('dev', { env: {}, context: context(TEST_DEPLOYMENT.dev) }).account,
    ).toBeUndefined();
  });

  test('a wildcard trust subject or seeding prod is refused', () => {
    const prod = resolveConfig('prod', { env: {}, context: context(TEST_DEPLOYMENT.prod) });
    expect(() =>
      validateConfig({ ...prod, github: { ...prod.github, subject: 'repo:*' } }),
    ).toThrow('wildcard');
    expect(() =>
      validateConfig({ ...prod, features: { ...prod.features, seedData: true } }),
    ).toThrow('never seeds');
  });

  test('per-stage log level and AI secrets: debug and no provider keys in dev', () => {
    expect(STAGE_CONFIGS.dev.api.logLevel).toBe('debug');
    expect(STAGE_CONFIGS.prod.api.logLevel).toBe('info');
    expect(STAGE_CONFIGS.dev.features.openAiSecret).toBe(false);
    expect(STAGE_CONFIGS.prod.features.openAiSecret).toBe(true);
  });

  test('a function timeout under the AI deadline plus 10 s, or a provider timeout over it, is refused', () => {
    const prod = resolveConfig('prod', { env: {}, context: context(TEST_DEPLOYMENT.prod) });
    const api = prod.api;
    expect(() =>
      validateConfig({ ...prod, api: { ...api, timeoutSeconds: api.aiRequestTimeoutMs / 1000 } }),
    ).toThrow('api.timeoutSeconds');
    expect(() =>
      validateConfig({ ...prod, api: { ...api, openAiTimeoutMs: api.aiRequestTimeoutMs + 1 } }),
    ).toThrow('openAiTimeoutMs');
    expect(() =>
      validateConfig({
        ...prod,
        api: { ...api, aiRequestTimeoutMs: 170_000, timeoutSeconds: 900 },
      }),
    ).toThrow('origin read timeout');
  });

  test('a worker timeout Lambda refuses, a batch or concurrency SQS refuses, or a non-https origin is refused', () => {
    const prod = resolveConfig('prod', { env: {}, context: context(TEST_DEPLOYMENT.prod) });
    const jobs = (patch: Partial<typeof prod.jobs>) =>
      validateConfig({ ...prod, jobs: { ...prod.jobs, ...patch } });
    expect(() => jobs({ workerTimeoutSeconds: 901 })).toThrow('jobs.workerTimeoutSeconds');
    expect(() => jobs({ batchSize: 11 })).toThrow('jobs.batchSize');
    expect(() => jobs({ maxConcurrency: 1 })).toThrow('jobs.maxConcurrency');
    expect(() => jobs({ maxReceiveCount: 0 })).toThrow('jobs.maxReceiveCount');
    expect(() =>
      validateConfig({
        ...prod,
        uploads: { ...prod.uploads, extraAllowedOrigins: ['http://app.example.test'] },
      }),
    ).toThrow('uploads.extraAllowedOrigins');
    expect(() => jobs({})).not.toThrow();
  });

  test('every stage is the base plus its overrides: nested settings not overridden are inherited', () => {
    expect(STAGE_CONFIGS.prod.api.aiRequestTimeoutMs).toBe(
      STAGE_CONFIGS.staging.api.aiRequestTimeoutMs,
    );
    expect(STAGE_CONFIGS.prod.tags.owner).toBe('platform');
    expect(STAGE_CONFIGS.prod.tags.costCenter).toBe('product');
    expect(STAGE_CONFIGS.dev.features.cacheWarming).toBe(true);
  });
});
