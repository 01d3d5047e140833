import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { SeedUser } from './seed-data.handler.ts';
import { DeployTimeJob, type JobLogProps } from './vpc-custom-resource.ts';

export interface SeedDataProps extends JobLogProps {
  readonly vpc: IVpc;
  readonly host: string;
  readonly databaseName: string;
  readonly secret: ISecret;
  /** Users to create if absent. */
  readonly users: readonly SeedUser[];
}

/** Seeds a non-production database after its migrations ran. */
export class SeedData extends DeployTimeJob {
  constructor(scope: Construct, id: string, props: SeedDataProps) {
    if (props.users.length === 0) throw new Error('SeedData needs at least one user');
    super(scope, id, {
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
  }
}
