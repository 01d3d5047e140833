import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc } from 'aws-cdk-lib/aws-ec2';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { acknowledge } from '../lib/acknowledge.ts';
import { SecureAuroraPostgres } from '../lib/constructs/secure-rds.ts';
import { DatabaseMigration } from '../lib/custom-resources/database-migration.ts';
import { SeedData } from '../lib/custom-resources/seed-data.ts';
import { logRemovalPolicy, resourcePrefix, retentionDays } from './stack-helpers.ts';

export interface DatabaseStackProps extends StackProps {
  readonly config: StageConfig;
  readonly vpc: IVpc;
  readonly apiSecurityGroup: ISecurityGroup;
  /** The drizzle-kit migrations folder applied on deploy. */
  readonly migrationsFolder: string;
}

/** Aurora PostgreSQL Serverless v2 behind RDS Proxy, migrated (and seeded) on deploy. */
export class DatabaseStack extends Stack {
  readonly database: SecureAuroraPostgres;
  /** The owner's credentials (the cluster's secret): migrations only. */
  readonly secret: ISecret;
  /** The application role's credentials: what the API connects with. */
  readonly appSecret: ISecret;
  readonly migration: DatabaseMigration;
  readonly seed?: SeedData;

  constructor(scope: Construct, id: string, props: DatabaseStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = retentionDays(config.logRetentionDays);
    this.database = new SecureAuroraPostgres(this, 'Database', {
      vpc: props.vpc,
      clusterIdentifier: resourcePrefix(config),
      databaseName: config.database.name,
      minCapacity: config.database.minCapacityAcu,
      maxCapacity: config.database.maxCapacityAcu,
      reader: config.database.reader,
      backupRetention: Duration.days(config.database.backupRetentionDays),
      deletionProtection: config.database.deletionProtection,
      removalPolicy: config.dataRemovalPolicy,
      logRetention,
    });
    const secret = this.database.cluster.secret;
    if (!secret) throw new Error('The cluster has no credentials secret');
    this.secret = secret;
    this.appSecret = this.database.appSecret;
    if (!config.database.deletionProtection) {
      acknowledge(
        this.database.cluster,
        'AwsSolutions-RDS10',
        'Deletion protection is off in this stage only, so its disposable database can be torn down; prod enables it.',
      );
    }
    this.database.allowClient(props.apiSecurityGroup, 'API function to RDS Proxy');

    const target = {
      vpc: props.vpc,
      host: this.database.writerHost,
      databaseName: this.database.databaseName,
      secret,
      logRetention,
      logRemovalPolicy: logRemovalPolicy(config),
    };
    this.migration = new DatabaseMigration(this, 'Migration', {
      ...target,
      migrationsFolder: props.migrationsFolder,
      appSecret: this.appSecret,
    });
    this.database.allowClient(this.migration.securityGroup, 'Migration function to RDS Proxy');
    this.migration.resource.node.addDependency(this.database.proxy, this.database.cluster);

    if (config.features.seedData) {
      this.seed = new SeedData(this, 'Seed', {
        ...target,
        users: [
          {
            id: 'seed-demo-user',
            name: 'Demo User',
            email: `demo@${config.domain.hostedZoneName}`,
          },
        ],
      });
      this.database.allowClient(this.seed.securityGroup, 'Seed function to RDS Proxy');
      this.seed.resource.node.addDependency(this.migration.resource);
    }
  }
}
