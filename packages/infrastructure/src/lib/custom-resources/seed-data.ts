import { fileURLToPath } from 'node:url';
import { CustomResource, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type IVpc, SecurityGroup, SubnetType } from 'aws-cdk-lib/aws-ec2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SecureLambda } from '../constructs/secure-lambda.ts';
import type { SeedUser } from './seed-data.handler.ts';

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
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Seed function: reaches RDS Proxy and Secrets Manager',
    });
    this.handler = new SecureLambda(this, 'Handler', {
      entry: fileURLToPath(new URL('./seed-data.handler.ts', import.meta.url)),
      description: 'Seeds demo data on deploy (non-production stages)',
      timeout: Duration.minutes(2),
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
      synchronousReason:
        'Invoked synchronously by CloudFormation, which receives its result through the response URL.',
    });
    props.secret.grantRead(this.handler.function);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.function.functionArn,
      resourceType: 'Custom::SeedData',
      properties: { Users: props.users.map((user) => ({ ...user })) },
    });
  }
}
