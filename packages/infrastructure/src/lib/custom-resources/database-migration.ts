import { fileURLToPath } from 'node:url';
import { CustomResource, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type IVpc, SecurityGroup, SubnetType } from 'aws-cdk-lib/aws-ec2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SecureLambda } from '../constructs/secure-lambda.ts';
import { hashMigrations } from './migrations-hash.ts';

export interface DatabaseMigrationProps {
  readonly vpc: IVpc;
  /** The writer endpoint (RDS Proxy). */
  readonly host: string;
  readonly databaseName: string;
  /** The credentials secret (JSON with username/password). */
  readonly secret: ISecret;
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
    const migrationsHash = hashMigrations(props.migrationsFolder);
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Migration function: reaches RDS Proxy and Secrets Manager',
    });
    const folder = props.migrationsFolder;
    this.handler = new SecureLambda(this, 'Handler', {
      entry: fileURLToPath(new URL('./database-migration.handler.ts', import.meta.url)),
      description: 'Applies drizzle-kit migrations on deploy',
      timeout: Duration.minutes(5),
      memorySize: 512,
      vpc: props.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: {
        DATABASE_HOST: props.host,
        DATABASE_NAME: props.databaseName,
        DATABASE_SECRET_ARN: props.secret.secretArn,
        DATABASE_SSL: 'require',
      },
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_inputDir: string, outputDir: string) => [
          `cp -R "${folder}" "${outputDir}/migrations"`,
        ],
      },
      synchronousReason:
        'Invoked synchronously by CloudFormation, which receives its result through the response URL.',
    });
    props.secret.grantRead(this.handler.function);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.function.functionArn,
      resourceType: 'Custom::DatabaseMigration',
      properties: { MigrationsHash: migrationsHash },
    });
  }
}
