import { RemovalPolicy } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  Peer,
  Port,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface SecureVpcProps {
  /**
   * @default 2 - two AZs are the minimum for Aurora and a multi-AZ cache
   */
  readonly maxAzs?: number;
  /**
   * NAT gateways: 1 keeps dev cheap; one per AZ removes the cross-AZ single point of failure.
   * @default 1 - the cheapest working egress
   */
  readonly natGateways?: number;
  /**
   * @default RetentionDays.ONE_MONTH - enough to investigate a network incident
   */
  readonly flowLogRetention?: RetentionDays;
  /**
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * @default RemovalPolicy.DESTROY - flow logs have their own retention
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A VPC with public, private-with-egress and isolated subnets, flow logs to CloudWatch
 * Logs, and endpoints for S3 (gateway), Secrets Manager and CloudWatch Logs so the
 * functions reach them without the NAT.
 */
export class SecureVpc extends Construct {
  readonly vpc: Vpc;
  readonly flowLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SecureVpcProps = {}) {
    super(scope, id);
    const maxAzs = props.maxAzs ?? 2;
    const natGateways = props.natGateways ?? 1;
    const cidr = props.cidr ?? '10.0.0.0/16';
    if (maxAzs < 2) throw new Error('maxAzs must be at least 2');
    if (natGateways < 1 || natGateways > maxAzs) {
      throw new Error(`natGateways must be between 1 and ${maxAzs}`);
    }

    this.flowLogGroup = new LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(cidr),
      maxAzs,
      natGateways,
      // Left off on purpose: it needs a CDK custom-resource Lambda; no rule admits the default SG.
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: {
        all: {
          destination: FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
          trafficType: FlowLogTrafficType.ALL,
        },
      },
      gatewayEndpoints: {
        S3: { service: GatewayVpcEndpointAwsService.S3 },
      },
    });

    const endpointSubnets = { subnetType: SubnetType.PRIVATE_WITH_EGRESS };
    for (const [endpointId, service] of [
      ['SecretsManager', InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
      ['CloudWatchLogs', InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
    ] as const) {
      const endpoint = this.vpc.addInterfaceEndpoint(endpointId, {
        service,
        subnets: endpointSubnets,
        privateDnsEnabled: true,
        open: false,
      });
      // The literal CIDR (not the VPC's token) keeps the rule readable to policy checks.
      endpoint.connections.allowFrom(Peer.ipv4(cidr), Port.tcp(443), 'HTTPS from inside the VPC');
    }
  }
}
