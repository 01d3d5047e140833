import { Stack, type StackProps } from 'aws-cdk-lib';
import { SecurityGroup, type Vpc } from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.ts';
import { SecureVpc } from '../lib/constructs/secure-vpc.ts';
import { logRemovalPolicy, retentionDays } from './stack-helpers.ts';

export interface NetworkStackProps extends StackProps {
  readonly config: StageConfig;
}

/** The VPC, its endpoints and flow logs, and the API function's security group. */
export class NetworkStack extends Stack {
  readonly vpc: Vpc;
  /** Attached to the API function; the data stores admit this group alone (besides their own jobs). */
  readonly apiSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config } = props;
    const network = new SecureVpc(this, 'Network', {
      maxAzs: config.network.maxAzs,
      natGateways: config.network.natGateways,
      flowLogRetention: retentionDays(config.network.flowLogRetentionDays),
      logRemovalPolicy: logRemovalPolicy(config),
    });
    this.vpc = network.vpc;
    this.apiSecurityGroup = new SecurityGroup(this, 'ApiSecurityGroup', {
      vpc: this.vpc,
      description: 'API function: reaches RDS Proxy, ElastiCache and AWS endpoints',
    });
  }
}
