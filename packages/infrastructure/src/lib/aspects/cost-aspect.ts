import { Annotations, CfnResource, type IAspect, Stack } from 'aws-cdk-lib';
import { CfnNatGateway } from 'aws-cdk-lib/aws-ec2';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnDBCluster } from 'aws-cdk-lib/aws-rds';
import type { IConstruct } from 'constructs';

export interface CostAspectProps {
  /** Production sizes are left alone; hints target the other stages. */
  readonly stage: string;
  /**
   * Lambda memory above which a hint suggests measuring with Lambda Power Tuning.
   * @default 2048 - beyond that, CPU rarely helps an I/O-bound API
   */
  readonly maxLambdaMemory?: number;
  /**
   * Aurora Serverless v2 ACU ceiling outside prod before a hint.
   * @default 4
   */
  readonly maxNonProdAcu?: number;
}

/** Warnings (never errors) with right-sizing hints. */
export class CostAspect implements IAspect {
  private readonly isProd: boolean;
  private readonly maxLambdaMemory: number;
  private readonly maxNonProdAcu: number;

  constructor(props: CostAspectProps) {
    this.isProd = props.stage === 'prod';
    this.maxLambdaMemory = props.maxLambdaMemory ?? 2048;
    this.maxNonProdAcu = props.maxNonProdAcu ?? 4;
  }

  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    const warn = (id: string, message: string) =>
      Annotations.of(node).addWarningV2(`cost:${id}`, `[CostAspect] ${message}`);
    const stack = Stack.of(node);

    if (node instanceof CfnFunction) {
      const architectures = stack.resolve(node.architectures) as string[] | undefined;
      if (!architectures?.includes('arm64'))
        warn('arm64', 'Lambda on x86_64: arm64 costs about 20% less per GB-second');
      const memory = stack.resolve(node.memorySize) as number | undefined;
      if (typeof memory === 'number' && memory > this.maxLambdaMemory) {
        warn(
          'lambda-memory',
          `Lambda memory ${memory} MiB: measure with Lambda Power Tuning before paying for it`,
        );
      }
    }
    if (node instanceof CfnNatGateway && !this.isProd && node.node.id !== 'NATGateway') {
      const index = /(\d+)/.exec(node.node.scope?.node.id ?? '')?.[1];
      if (index && Number(index) > 1) {
        warn(
          'nat',
          'More than one NAT gateway outside prod: one is usually enough (about $32/month each)',
        );
      }
    }
    if (node instanceof CfnDBCluster && !this.isProd) {
      const scaling = stack.resolve(node.serverlessV2ScalingConfiguration) as
        | { maxCapacity?: number }
        | undefined;
      if (scaling?.maxCapacity !== undefined && scaling.maxCapacity > this.maxNonProdAcu) {
        warn(
          'aurora-acu',
          `Aurora max ${scaling.maxCapacity} ACU outside prod: ${this.maxNonProdAcu} is usually enough`,
        );
      }
    }
    if (node instanceof CfnLogGroup && node.retentionInDays === undefined) {
      warn('log-retention', 'Log group kept forever: set a retention');
    }
  }
}
