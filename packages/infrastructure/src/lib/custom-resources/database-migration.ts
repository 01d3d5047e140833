import { fileURLToPath } from 'node:url';
import { type CustomResource, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IVpc, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SecureLambda } from '../constructs/secure-lambda.ts';
import { hashMigrations } from './migrations-hash.ts';
import { VpcCustomResource } from './vpc-custom-resource.ts';

export interface DatabaseMigrationProps {
  readonly vpc: IVpc;
  /** The writer endpoint (RDS Proxy). */
  readonly host: string;
  readonly databaseName: string;
  /** The credentials secret (JSON with username/password). */
  readonly secret: ISecret;
  /**
   * The application role's secret: the handler creates the role and grants it data access.
   * @default - no application role
   */
  readonly appSecret?: ISecret;
  /** The drizzle-kit output folder (SQL files and `meta/_journal.json`). */
  readonly migrationsFolder: string;
  /**
   * @default RetentionDays.ONE_MONTH (via SecureLambda)
   */
  readonly logRetention?: RetentionDays;
  /**
   * @default RemovalPolicy.DESTROY (via SecureLambda)
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * Runs the committed migrations on every deploy that changes them, from a function in
 * the VPC; a failed migration fails the deployment.
 */
export class DatabaseMigration extends Construct {
  readonly handler: SecureLambda;
  readonly securityGroup: SecurityGroup;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: DatabaseMigrationProps) {
    super(scope, id);
    const folder = props.migrationsFolder;
    const migrationsHash = hashMigrations(folder);
    const job = new VpcCustomResource(this, 'Default', {
      vpc: props.vpc,
      entry: fileURLToPath(new URL('./database-migration.handler.ts', import.meta.url)),
      description: 'Applies drizzle-kit migrations on deploy',
      securityGroupDescription: 'Migration function: reaches RDS Proxy and Secrets Manager',
      resourceType: 'Custom::DatabaseMigration',
      // The hash changes exactly when a migration is added, which re-runs the handler.
      properties: {
        MigrationsHash: migrationsHash,
        ...(props.appSecret ? { AppSecretArn: props.appSecret.secretArn } : {}),
      },
      timeout: Duration.minutes(5),
      memorySize: 512,
      environment: {
        DATABASE_HOST: props.host,
        DATABASE_NAME: props.databaseName,
        DATABASE_SECRET_ARN: props.secret.secretArn,
        DATABASE_SSL: 'require',
        ...(props.appSecret ? { APP_DATABASE_SECRET_ARN: props.appSecret.secretArn } : {}),
      },
      secrets: [props.secret, ...(props.appSecret ? [props.appSecret] : [])],
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_inputDir: string, outputDir: string) => [
          `cp -R "${folder}" "${outputDir}/migrations"`,
        ],
      },
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.handler = job.handler;
    this.securityGroup = job.securityGroup;
    this.resource = job.resource;
  }
}
