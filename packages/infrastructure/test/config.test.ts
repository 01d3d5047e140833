import { describe, expect, test } from 'bun:test';
import { RemovalPolicy } from 'aws-cdk-lib';
import { resolveConfig, STAGE_CONFIGS, validateConfig } from '../src/config.ts';

describe('config', () => {
  test('removal policies: RETAIN prod, SNAPSHOT staging, DESTROY dev; NAT 1 in dev, per AZ in prod', () => {
    expect(STAGE_CONFIGS.prod.dataRemovalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(STAGE_CONFIGS.staging.dataRemovalPolicy).toBe(RemovalPolicy.SNAPSHOT);
    expect(STAGE_CONFIGS.dev.dataRemovalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(STAGE_CONFIGS.dev.network.natGateways).toBe(1);
    expect(STAGE_CONFIGS.prod.network.natGateways).toBe(STAGE_CONFIGS.prod.network.maxAzs);
  });

  test('account and region come from the environment; context overrides the repository', () => {
    const config = resolveConfig('prod', {
      env: { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'eu-central-1' },
      context: (key) => ({ githubOwner: 'acme', githubRepo: 'api' })[key],
    });
    expect(config.account).toBe('111111111111');
    expect(config.region).toBe('eu-central-1');
    expect(config.github.subject).toBe('repo:acme/api:environment:production');
  });

  test('no credentials needed: without an account the config is still valid', () => {
    expect(resolveConfig('dev', { env: {} }).account).toBeUndefined();
  });

  test('a wildcard trust subject or seeding prod is refused', () => {
    const prod = resolveConfig('prod', { env: {} });
    expect(() =>
      validateConfig({ ...prod, github: { ...prod.github, subject: 'repo:*' } }),
    ).toThrow('wildcard');
    expect(() =>
      validateConfig({ ...prod, features: { ...prod.features, seedData: true } }),
    ).toThrow('never seeds');
  });
});
