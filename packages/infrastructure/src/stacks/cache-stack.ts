import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  type ISecurityGroup,
  type IVpc,
  Port,
  SecurityGroup,
  SubnetType,
} from 'aws-cdk-lib/aws-ec2';
import { CfnReplicationGroup, CfnSubnetGroup } from 'aws-cdk-lib/aws-elasticache';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { acknowledge } from '../lib/acknowledge.ts';
import { CacheWarming } from '../lib/custom-resources/cache-warming.ts';
import { logRemovalPolicy, resourcePrefix, retentionDays } from './stack-helpers.ts';

export const CACHE_PORT = 6379;

export interface CacheStackProps extends StackProps {
  readonly config: StageConfig;
  readonly vpc: IVpc;
  readonly apiSecurityGroup: ISecurityGroup;
}

/**
 * ElastiCache for Valkey (Redis-compatible) in private subnets: TLS in transit, encrypted
 * at rest, AUTH token from Secrets Manager, automatic failover across AZs when configured.
 */
export class CacheStack extends Stack {
  readonly replicationGroup: CfnReplicationGroup;
  readonly authSecret: Secret;
  readonly securityGroup: SecurityGroup;
  readonly host: string;
  readonly port: string;
  /** Member cluster ids (`<group>-001`, …), the dimension of per-node metrics. */
  readonly nodeIds: string[];
  /** The cache-warming job, when the stage enables it. */
  readonly warming?: CacheWarming;

  constructor(scope: Construct, id: string, props: CacheStackProps) {
    super(scope, id, props);
    const { config } = props;
    const groupId = resourcePrefix(config).slice(0, 40);

    this.authSecret = new Secret(this, 'AuthToken', {
      description: `${groupId} ElastiCache AUTH token`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.authSecret,
      'AwsSolutions-SMG4',
      'ElastiCache AUTH token rotation needs a coordinated ModifyReplicationGroup (ROTATE then SET); it is rotated by a runbook, not by a Secrets Manager rotation function.',
    );
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'ElastiCache: reachable from the API and cache-warming functions only',
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(props.apiSecurityGroup, Port.tcp(CACHE_PORT), 'API function');

    const subnetGroup = new CfnSubnetGroup(this, 'SubnetGroup', {
      description: `${groupId} private subnets`,
      subnetIds: props.vpc.selectSubnets({ subnetType: SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
    });
    const slowLog = new LogGroup(this, 'SlowLog', {
      retention: retentionDays(config.logRetentionDays),
      removalPolicy: logRemovalPolicy(config),
    });

    this.replicationGroup = new CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: groupId,
      replicationGroupDescription: `${groupId} cache`,
      engine: 'valkey',
      engineVersion: '8.0',
      cacheNodeType: config.cache.nodeType,
      numCacheClusters: config.cache.nodes,
      automaticFailoverEnabled: config.cache.multiAz,
      multiAzEnabled: config.cache.multiAz,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      authToken: this.authSecret.secretValue.unsafeUnwrap(),
      port: CACHE_PORT,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      snapshotRetentionLimit: config.stage === 'prod' ? 7 : 1,
      preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
      autoMinorVersionUpgrade: true,
      logDeliveryConfigurations: [
        {
          destinationType: 'cloudwatch-logs',
          logFormat: 'json',
          logType: 'slow-log',
          destinationDetails: { cloudWatchLogsDetails: { logGroup: slowLog.logGroupName } },
        },
      ],
    });
    this.replicationGroup.applyRemovalPolicy(
      config.dataRemovalPolicy === RemovalPolicy.SNAPSHOT
        ? RemovalPolicy.SNAPSHOT
        : config.dataRemovalPolicy,
    );
    this.host = this.replicationGroup.attrPrimaryEndPointAddress;
    this.port = this.replicationGroup.attrPrimaryEndPointPort;
    this.nodeIds = Array.from(
      { length: config.cache.nodes },
      (_, i) => `${groupId}-${String(i + 1).padStart(3, '0')}`,
    );
    if (!config.cache.multiAz) {
      acknowledge(
        this.replicationGroup,
        'AwsSolutions-AEC4',
        'Single-node cache in dev to save cost; staging and prod run Multi-AZ with automatic failover.',
      );
    }

    if (config.features.cacheWarming) {
      const warming = new CacheWarming(this, 'Warming', {
        vpc: props.vpc,
        host: this.host,
        port: this.port,
        authSecret: this.authSecret,
        prefix: `app:${config.stage}:`,
        entries: { 'meta:warmed': 'true' },
        logRetention: retentionDays(config.logRetentionDays),
        logRemovalPolicy: logRemovalPolicy(config),
      });
      this.securityGroup.addIngressRule(
        warming.securityGroup,
        Port.tcp(CACHE_PORT),
        'Cache warming function',
      );
      warming.resource.node.addDependency(this.replicationGroup);
      this.warming = warming;
    }
  }
}
