import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { hashMigrations } from './migrations-hash.ts';
import { DeployTimeJob, type JobLogProps } from './vpc-custom-resource.ts';

export interface DatabaseMigrationProps extends JobLogProps {
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
}

/**
 * Runs the committed migrations on every deploy that changes them, from a function in
 * the VPC; a failed migration fails the deployment.
 */
export class DatabaseMigration extends DeployTimeJob {
  constructor(scope: Construct, id: string, props: DatabaseMigrationProps) {
    const folder = props.migrationsFolder;
    const migrationsHash = hashMigrations(folder);
    super(scope, id, {
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
  }
}
