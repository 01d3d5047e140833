import { Annotations, type IAspect, Stack, Token } from 'aws-cdk-lib';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { type CfnDBCluster, DatabaseCluster } from 'aws-cdk-lib/aws-rds';
import type { IConstruct } from 'constructs';

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (value && typeof value === 'object')
    for (const item of Object.values(value)) collectStrings(item, into);
}

/**
 * Marks a Lambda@Edge function: it logs in every edge region (`/aws/lambda/us-east-1.<name>`),
 * never to a log group of ours, and its failures are CloudFront's `LambdaExecutionError`
 * metric of the distribution, not its own `Errors`. The value says where it is alarmed.
 */
export const LAMBDA_EDGE_METADATA = 'house:lambda-edge';

/**
 * Every Lambda function and Aurora cluster must have at least one alarm on its metrics;
 * every function an explicit log group with a retention, and every cluster a log group with
 * a retention for each log type it exports (`/aws/rds/cluster/<id>/<type>`, created before
 * RDS would create it without one); otherwise synthesis fails.
 */
export class MonitoringAspect implements IAspect {
  private alarmDimensions?: Set<string>;

  visit(node: IConstruct): void {
    if (!(node instanceof LambdaFunction || node instanceof DatabaseCluster)) return;
    const error = (message: string) =>
      Annotations.of(node).addError(`[MonitoringAspect] ${message}`);
    const dimensions = this.dimensions(node);

    if (node instanceof LambdaFunction) {
      if (node.node.metadata.some((entry) => entry.type === LAMBDA_EDGE_METADATA)) return;
      if (!dimensions.has(node.functionName)) error('Function has no alarm');
      const logGroup = node.node.scope?.node.children.find(
        (child) => child.node.defaultChild instanceof CfnLogGroup,
      );
      const cfnLogGroup = logGroup?.node.defaultChild as CfnLogGroup | undefined;
      const config = Stack.of(node).resolve(
        (node.node.defaultChild as { loggingConfig?: unknown }).loggingConfig,
      );
      if (!config || cfnLogGroup?.retentionInDays === undefined) {
        error('Function needs an explicit log group with a retention');
      }
      return;
    }
    if (!dimensions.has(node.clusterIdentifier)) error('Database cluster has no alarm');
    const stack = Stack.of(node);
    const cfnCluster = node.node.defaultChild as CfnDBCluster;
    const exported = (stack.resolve(cfnCluster.enableCloudwatchLogsExports) ?? []) as string[];
    if (exported.length === 0) return;
    const retained = new Set(
      node.node.root.node
        .findAll()
        .filter(
          (c): c is CfnLogGroup => c instanceof CfnLogGroup && c.retentionInDays !== undefined,
        )
        .map((group) => stack.resolve(group.logGroupName)),
    );
    const id = stack.resolve(cfnCluster.dbClusterIdentifier);
    for (const type of exported) {
      if (typeof id !== 'string' || !retained.has(`/aws/rds/cluster/${id}/${type}`)) {
        error(`Database ${type} logs need a log group with a retention`);
      }
    }
  }

  /** Every dimension value used by any alarm in the app (token strings compare equal). */
  private dimensions(node: IConstruct): Set<string> {
    if (!this.alarmDimensions) {
      this.alarmDimensions = new Set();
      for (const construct of node.node.root.node.findAll()) {
        if (!(construct instanceof CfnAlarm)) continue;
        collectStrings(construct.dimensions, this.alarmDimensions);
        const metrics = construct.metrics as unknown;
        if (!Token.isUnresolved(metrics)) collectStrings(metrics, this.alarmDimensions);
      }
    }
    return this.alarmDimensions;
  }
}
