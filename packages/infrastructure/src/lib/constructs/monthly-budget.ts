import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface MonthlyBudgetProps {
  /** The budget's name, unique in the account. */
  readonly budgetName: string;
  /** The monthly cost limit in US dollars. */
  readonly limitUsd: number;
  /** Only costs tagged `Environment=<environmentTag>` count. */
  readonly environmentTag: string;
  /** Notified at 80% of actual and 100% of forecast spend (it must allow budgets.amazonaws.com to publish). */
  readonly topic: ITopic;
  /**
   * Percentages of the limit that notify: actual spend, then forecast spend.
   * @default - 80 (actual) and 100 (forecast): a warning with room to act, and the forecast overrun
   */
  readonly notifyAt?: { readonly actual: number; readonly forecast: number };
}

/** A monthly cost budget for one stage's tagged resources that notifies an SNS topic. */
export class MonthlyBudget extends Construct {
  readonly budget: CfnBudget;

  constructor(scope: Construct, id: string, props: MonthlyBudgetProps) {
    super(scope, id);
    if (!(props.limitUsd > 0)) throw new Error('MonthlyBudget: limitUsd must be positive');
    const notifyAt = props.notifyAt ?? { actual: 80, forecast: 100 };
    const notify = (notificationType: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
      notification: {
        notificationType,
        comparisonOperator: 'GREATER_THAN',
        threshold,
        thresholdType: 'PERCENTAGE',
      },
      subscribers: [{ subscriptionType: 'SNS', address: props.topic.topicArn }],
    });
    this.budget = new CfnBudget(this, 'Resource', {
      budget: {
        budgetName: props.budgetName,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.limitUsd, unit: 'USD' },
        costFilters: { TagKeyValue: [`user:Environment$${props.environmentTag}`] },
      },
      notificationsWithSubscribers: [
        notify('ACTUAL', notifyAt.actual),
        notify('FORECASTED', notifyAt.forecast),
      ],
    });
  }
}
