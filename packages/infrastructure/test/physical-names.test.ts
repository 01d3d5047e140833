/**
 * Two stages can share an account and region: every physical name a stack sets must be its
 * stage's own (a shared name collides, and renaming later replaces the resource).
 */
import { describe, expect, test } from 'bun:test';
import { STAGE_NAMES, type StageName } from '../src/config.ts';
import { stageApp, template } from './helpers/synth.ts';

/** The properties that set a resource's physical name, by resource type. */
const NAME_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::IAM::Role': ['RoleName'],
  'AWS::Lambda::Function': ['FunctionName'],
  'AWS::RDS::DBCluster': ['DBClusterIdentifier'],
  'AWS::RDS::DBProxy': ['DBProxyName'],
  'AWS::RDS::DBProxyEndpoint': ['DBProxyEndpointName'],
  'AWS::ElastiCache::ReplicationGroup': ['ReplicationGroupId'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::Logs::QueryDefinition': ['Name'],
  'AWS::CloudWatch::Dashboard': ['DashboardName'],
  'AWS::CodeDeploy::Application': ['ApplicationName'],
  'AWS::CodeDeploy::DeploymentGroup': ['DeploymentGroupName'],
  'AWS::WAFv2::WebACL': ['Name'],
  'AWS::SES::ConfigurationSet': ['Name'],
  'AWS::SNS::Topic': ['TopicName'],
  'AWS::SQS::Queue': ['QueueName'],
  'AWS::S3::Bucket': ['BucketName'],
};

function physicalNames(stage: StageName): string[] {
  const names: string[] = [];
  for (const stack of Object.values(stageApp(stage).stacks)) {
    const resources = (template(stack).toJSON().Resources ?? {}) as Record<
      string,
      { Type: string; Properties?: Record<string, unknown> }
    >;
    for (const resource of Object.values(resources)) {
      for (const property of NAME_PROPERTIES[resource.Type] ?? []) {
        const value = resource.Properties?.[property];
        if (typeof value === 'string') names.push(value);
      }
      const budget = (resource.Properties?.Budget as { BudgetName?: unknown } | undefined)
        ?.BudgetName;
      if (resource.Type === 'AWS::Budgets::Budget' && typeof budget === 'string')
        names.push(budget);
    }
  }
  return names;
}

describe.each(STAGE_NAMES)('physical names of %s', (stage) => {
  test('each names the stage', () => {
    const names = physicalNames(stage);
    expect(names.length).toBeGreaterThan(8);
    for (const name of names)
      expect({ name, ours: name.includes(stage) }).toEqual({ name, ours: true });
  });
});

test('no two stages share a physical name', () => {
  const seen = new Map<string, StageName>();
  for (const stage of STAGE_NAMES) {
    const names = new Set(physicalNames(stage));
    for (const name of names) {
      expect({ name, alsoIn: seen.get(name) }).toEqual({ name, alsoIn: undefined });
    }
    for (const name of names) seen.set(name, stage);
  }
});
