import { fileURLToPath } from 'node:url';
import { type CustomResource, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IVpc, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SecureLambda } from '../constructs/secure-lambda.ts';
import type { SeedUser } from './seed-data.handler.ts';
import { VpcCustomResource } from './vpc-custom-resource.ts';

export interface SeedDataProps {
  readonly vpc: IVpc;
  readonly host: string;
  readonly databaseName: string;
  readonly secret: ISecret;
  /** Users to create if absent. */
  readonly users: readonly SeedUser[];
  /**
   * @default RetentionDays.ONE_MONTH (via SecureLambda)
   */
  readonly logRetention?: RetentionDays;
  /**
   * @default RemovalPolicy.DESTROY (via SecureLambda)
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** Seeds a non-production database after its migrations ran. */
export class SeedData extends Construct {
  readonly handler: SecureLambda;
  readonly securityGroup: SecurityGroup;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SeedDataProps) {
    super(scope, id);
    if (props.users.length === 0) throw new Error('SeedData needs at least one user');
    const job = new VpcCustomResource(this, 'Default', {
      vpc: props.vpc,
      entry: fileURLToPath(new URL('./seed-data.handler.ts', import.meta.url)),
      description: 'Seeds demo data on deploy (non-production stages)',
      securityGroupDescription: 'Seed function: reaches RDS Proxy and Secrets Manager',
      resourceType: 'Custom::SeedData',
      properties: { Users: props.users.map((user) => ({ ...user })) },
      timeout: Duration.minutes(2),
      environment: {
        DATABASE_HOST: props.host,
        DATABASE_NAME: props.databaseName,
        DATABASE_SECRET_ARN: props.secret.secretArn,
        DATABASE_SSL: 'require',
      },
      secrets: [props.secret],
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.handler = job.handler;
    this.securityGroup = job.securityGroup;
    this.resource = job.resource;
  }
}
