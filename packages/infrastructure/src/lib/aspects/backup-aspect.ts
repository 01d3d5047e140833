import { Duration, type IAspect, RemovalPolicy } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { DatabaseCluster } from 'aws-cdk-lib/aws-rds';
import type { IConstruct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';

export interface BackupAspectProps {
  readonly stage: string;
  /**
   * Stages without an AWS Backup plan (Aurora's own automated backups still apply).
   * @default ['dev'] - dev data is disposable
   */
  readonly skipStages?: readonly string[];
  /**
   * Retention of the daily backups.
   * @default Duration.days(35)
   */
  readonly dailyRetention?: Duration;
}

/**
 * Gives every Aurora cluster outside dev an AWS Backup plan: daily backups kept 35 days
 * and monthly ones kept a year, in an encrypted vault that outlives the stack.
 */
export class BackupAspect implements IAspect {
  private readonly enabled: boolean;
  private readonly dailyRetention: Duration;
  private readonly covered = new WeakSet<DatabaseCluster>();

  constructor(props: BackupAspectProps) {
    this.enabled = !(props.skipStages ?? ['dev']).includes(props.stage);
    this.dailyRetention = props.dailyRetention ?? Duration.days(35);
  }

  visit(node: IConstruct): void {
    if (!(node instanceof DatabaseCluster)) return;
    if (!this.enabled || this.covered.has(node)) return;
    this.covered.add(node);
    const scope = node.node.scope;
    if (!scope) return;
    const vault = new BackupVault(scope, `${node.node.id}BackupVault`, {
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const plan = new BackupPlan(scope, `${node.node.id}BackupPlan`, {
      backupVault: vault,
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: Schedule.cron({ hour: '3', minute: '0' }),
          deleteAfter: this.dailyRetention,
        }),
        new BackupPlanRule({
          ruleName: 'Monthly',
          scheduleExpression: Schedule.cron({ day: '1', hour: '4', minute: '0' }),
          moveToColdStorageAfter: Duration.days(30),
          deleteAfter: Duration.days(365),
        }),
      ],
    });
    const selection = plan.addSelection('Database', {
      resources: [BackupResource.fromRdsServerlessCluster(node)],
    });
    acknowledge(
      selection,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      'AWS Backup requires its service role policy to snapshot the cluster; AWS maintains it as the service evolves.',
    );
  }
}
