import { ArnFormat, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { EDGE_REGION, type StageConfig } from '../config.ts';
import { logRemovalPolicy, resourcePrefix, retentionDays } from './stack-helpers.ts';

export interface EdgeGlobalStackProps extends StackProps {
  readonly config: StageConfig;
}

/** The web ACL's name, fixed so the monitoring stack needs no cross-region reference for it. */
export function webAclName(config: StageConfig): string {
  return `${resourcePrefix(config)}-edge`;
}

const managedRule = (name: string, priority: number): CfnWebACL.RuleProperty => ({
  name,
  priority,
  overrideAction: { none: {} },
  statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
  visibilityConfig: {
    sampledRequestsEnabled: true,
    cloudWatchMetricsEnabled: true,
    metricName: name,
  },
});

/**
 * Resources CloudFront only accepts from us-east-1: the CLOUDFRONT-scope web ACL and the
 * viewer certificate. The main-region edge stack reads them through `crossRegionReferences`
 * (SSM parameters written here, read there by a CDK-managed custom resource).
 */
export class EdgeGlobalStack extends Stack {
  readonly webAcl: CfnWebACL;
  readonly certificate: Certificate;

  constructor(scope: Construct, id: string, props: EdgeGlobalStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    if (this.region !== EDGE_REGION) throw new Error(`EdgeGlobalStack must be in ${EDGE_REGION}`);
    const { config } = props;
    const name = webAclName(config);

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: {
        sampledRequestsEnabled: true,
        cloudWatchMetricsEnabled: true,
        metricName: name,
      },
      rules: [
        managedRule('AWSManagedRulesAmazonIpReputationList', 0),
        managedRule('AWSManagedRulesAnonymousIpList', 1),
        managedRule('AWSManagedRulesKnownBadInputsRuleSet', 2),
        managedRule('AWSManagedRulesCommonRuleSet', 3),
        {
          name: 'RateLimitPerIp',
          priority: 4,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: config.wafRateLimit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: {
            sampledRequestsEnabled: true,
            cloudWatchMetricsEnabled: true,
            metricName: 'RateLimitPerIp',
          },
        },
      ],
    });

    // WAF requires the `aws-waf-logs-` prefix on its log group names.
    const wafLogs = new LogGroup(this, 'WafLogs', {
      logGroupName: `aws-waf-logs-${name}`,
      retention: retentionDays(config.logRetentionDays),
      removalPolicy: logRemovalPolicy(config),
    });
    new CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: wafLogs.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    });

    const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: config.domain.hostedZoneId,
      zoneName: config.domain.hostedZoneName,
    });
    this.certificate = new Certificate(this, 'Certificate', {
      domainName: config.domain.name,
      validation: CertificateValidation.fromDns(zone),
    });
  }
}
