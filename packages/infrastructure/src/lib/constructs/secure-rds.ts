import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  type ISecurityGroup,
  type IVpc,
  Port,
  SecurityGroup,
  SubnetType,
} from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  AuroraPostgresEngineVersion,
  CfnDBProxyEndpoint,
  ClientPasswordAuthType,
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
  type DatabaseProxy,
  DatabaseSecret,
} from 'aws-cdk-lib/aws-rds';
import {
  type ISecret,
  SecretRotation,
  SecretRotationApplication,
} from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Characters generated passwords leave out (they trouble URLs and shells). */
const EXCLUDED_PASSWORD_CHARACTERS = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';

/** PostgreSQL's port, on which RDS Proxy always listens. */
export const POSTGRES_PORT = 5432;

export interface SecureAuroraPostgresProps {
  readonly vpc: IVpc;
  /** Cluster identifier, also used to name the PostgreSQL log group. */
  readonly clusterIdentifier: string;
  /**
   * @default 'app'
   */
  readonly databaseName?: string;
  /**
   * @default 0.5 - the Serverless v2 minimum
   */
  readonly minCapacity?: number;
  /**
   * @default 4
   */
  readonly maxCapacity?: number;
  /**
   * Add a Serverless v2 reader (and an RDS Proxy read-only endpoint).
   * @default false - writer only
   */
  readonly reader?: boolean;
  /**
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;
  /**
   * @default true - deleting a database should take two steps
   */
  readonly deletionProtection?: boolean;
  /**
   * @default RemovalPolicy.SNAPSHOT - a final snapshot is the safe middle
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Rotation period of the credentials secrets.
   * @default Duration.days(30)
   */
  readonly rotationPeriod?: Duration;
  /**
   * The application's own login role (created and granted by the migrations, see
   * `database-migration.handler.ts`): its generated, rotated secret is registered with the proxy.
   * @default 'app_user'
   */
  readonly appUsername?: string;
}

/**
 * Aurora PostgreSQL Serverless v2 in isolated subnets behind RDS Proxy: KMS-encrypted
 * storage, IAM auth enabled, PostgreSQL logs exported with retention, a generated
 * credentials secret with rotation, and a proxy that requires TLS. Only security groups
 * passed to `allowClient` reach the proxy; only the proxy reaches the cluster.
 */
export class SecureAuroraPostgres extends Construct {
  readonly cluster: DatabaseCluster;
  readonly proxy: DatabaseProxy;
  readonly proxySecurityGroup: SecurityGroup;
  readonly databaseName: string;
  /** The application role's credentials (least privilege; the owner's stay with migrations). */
  readonly appSecret: ISecret;
  /** The writer endpoint clients use (the proxy). */
  readonly writerHost: string;
  /** The reader endpoint: the proxy's read-only endpoint, or the proxy itself without a reader. */
  readonly readerHost: string;

  constructor(scope: Construct, id: string, props: SecureAuroraPostgresProps) {
    super(scope, id);
    const minCapacity = props.minCapacity ?? 0.5;
    const maxCapacity = props.maxCapacity ?? 4;
    if (minCapacity < 0 || maxCapacity > 256 || minCapacity > maxCapacity) {
      throw new Error(`Invalid Serverless v2 capacity ${minCapacity}-${maxCapacity}`);
    }
    this.databaseName = props.databaseName ?? 'app';
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;
    const isolated = { subnetType: SubnetType.PRIVATE_ISOLATED };

    const key = new Key(this, 'StorageKey', {
      enableKeyRotation: true,
      description: `${props.clusterIdentifier} storage encryption`,
      removalPolicy:
        removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    const logGroup = new LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/cluster/${props.clusterIdentifier}/postgresql`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const clusterSecurityGroup = new SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: props.vpc,
      description: 'Aurora: reachable from RDS Proxy only',
      allowAllOutbound: false,
    });
    this.proxySecurityGroup = new SecurityGroup(this, 'ProxySecurityGroup', {
      vpc: props.vpc,
      description: 'RDS Proxy: reachable from the API and migration functions only',
      allowAllOutbound: false,
    });

    this.cluster = new DatabaseCluster(this, 'Cluster', {
      engine: DatabaseClusterEngine.auroraPostgres({
        version: AuroraPostgresEngineVersion.VER_16_6,
      }),
      clusterIdentifier: props.clusterIdentifier,
      defaultDatabaseName: this.databaseName,
      credentials: Credentials.fromGeneratedSecret('postgres_admin', {
        excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
      }),
      writer: ClusterInstance.serverlessV2('writer', { enablePerformanceInsights: true }),
      readers: props.reader
        ? [
            ClusterInstance.serverlessV2('reader', {
              scaleWithWriter: true,
              enablePerformanceInsights: true,
            }),
          ]
        : [],
      serverlessV2MinCapacity: minCapacity,
      serverlessV2MaxCapacity: maxCapacity,
      vpc: props.vpc,
      vpcSubnets: isolated,
      securityGroups: [clusterSecurityGroup],
      storageEncrypted: true,
      storageEncryptionKey: key,
      iamAuthentication: true,
      deletionProtection: props.deletionProtection ?? true,
      backup: {
        retention: props.backupRetention ?? Duration.days(7),
        preferredWindow: '02:00-03:00',
      },
      preferredMaintenanceWindow: 'sun:03:30-sun:04:30',
      cloudwatchLogsExports: ['postgresql'],
      copyTagsToSnapshot: true,
      removalPolicy,
    });
    this.cluster.node.addDependency(logGroup);

    this.cluster.addRotationSingleUser({
      automaticallyAfter: props.rotationPeriod ?? Duration.days(30),
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
    });
    const appSecret = new DatabaseSecret(this, 'AppSecret', {
      username: props.appUsername ?? 'app_user',
      excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
    });
    // Attached: the secret also names the host, as the rotation function needs.
    const attachedAppSecret = appSecret.attach(this.cluster);
    this.appSecret = attachedAppSecret;
    // The app role changes its own password (PostgreSQL lets a role do that); the app reads the
    // secret afresh for each new connection, so a rotation refuses none.
    new SecretRotation(this, 'AppSecretRotation', {
      application: SecretRotationApplication.POSTGRES_ROTATION_SINGLE_USER,
      secret: attachedAppSecret,
      target: this.cluster,
      vpc: props.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      automaticallyAfter: props.rotationPeriod ?? Duration.days(30),
      excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
    });

    this.proxy = this.cluster.addProxy('Proxy', {
      // Proxy names are unique per account and region: two stages side by side need their own.
      dbProxyName: `${props.clusterIdentifier}-proxy`,
      // The owner (migrations) and the application role each authenticate with their own.
      secrets: [...(this.cluster.secret ? [this.cluster.secret] : []), attachedAppSecret],
      vpc: props.vpc,
      vpcSubnets: isolated,
      securityGroups: [this.proxySecurityGroup],
      requireTLS: true,
      iamAuth: false,
      clientPasswordAuthType: ClientPasswordAuthType.POSTGRES_SCRAM_SHA_256,
      idleClientTimeout: Duration.minutes(15),
      maxConnectionsPercent: 90,
    });
    clusterSecurityGroup.addIngressRule(
      this.proxySecurityGroup,
      Port.tcp(POSTGRES_PORT),
      'RDS Proxy to Aurora',
    );
    this.proxySecurityGroup.addEgressRule(
      clusterSecurityGroup,
      Port.tcp(POSTGRES_PORT),
      'To Aurora',
    );

    this.writerHost = this.proxy.endpoint;
    if (props.reader) {
      const readOnly = new CfnDBProxyEndpoint(this, 'ProxyReadOnlyEndpoint', {
        dbProxyName: this.proxy.dbProxyName,
        dbProxyEndpointName: `${props.clusterIdentifier}-ro`,
        targetRole: 'READ_ONLY',
        vpcSubnetIds: props.vpc.selectSubnets(isolated).subnetIds,
        vpcSecurityGroupIds: [this.proxySecurityGroup.securityGroupId],
      });
      this.readerHost = readOnly.attrEndpoint;
    } else {
      // Only the proxy is admitted to the cluster: without a reader, reads go through it too.
      this.readerHost = this.proxy.endpoint;
    }
  }

  /** Lets `client` reach the proxy on 5432 (and nothing else reach it). */
  allowClient(client: ISecurityGroup, description: string): void {
    this.proxySecurityGroup.addIngressRule(client, Port.tcp(POSTGRES_PORT), description);
  }
}
