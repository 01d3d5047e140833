import { describe, expect, test } from 'bun:test';
import { Aspects } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import {
  AuroraPostgresEngineVersion,
  ClusterInstance,
  DatabaseCluster,
  DatabaseClusterEngine,
} from 'aws-cdk-lib/aws-rds';
import { BackupAspect } from '../../../src/lib/aspects/backup-aspect.ts';
import { testStack } from '../../helpers/synth.ts';

function stackWithCluster(stage: string) {
  const stack = testStack();
  new DatabaseCluster(stack, 'Db', {
    engine: DatabaseClusterEngine.auroraPostgres({ version: AuroraPostgresEngineVersion.VER_16_6 }),
    writer: ClusterInstance.serverlessV2('writer'),
    vpc: new Vpc(stack, 'Vpc', { natGateways: 0 }),
    vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
    storageEncrypted: true,
  });
  Aspects.of(stack).add(new BackupAspect({ stage }));
  return Template.fromStack(stack);
}

describe('BackupAspect', () => {
  test('outside dev, a database gets an AWS Backup plan selecting it', () => {
    const t = stackWithCluster('prod');
    t.resourceCountIs('AWS::Backup::BackupPlan', 1);
    t.resourceCountIs('AWS::Backup::BackupSelection', 1);
    t.resourceCountIs('AWS::Backup::BackupVault', 1);
  });

  test('in dev, no backup plan is added', () => {
    expect(
      Object.keys(stackWithCluster('dev').findResources('AWS::Backup::BackupPlan')),
    ).toHaveLength(0);
  });
});
