import { ArnFormat, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { EDGE_REGION, type StageConfig } from '../config.ts';
import { OriginRequestSigner } from '../lib/constructs/origin-request-signer.ts';
import { edgeErrorBody, PAYLOAD_TOO_LARGE } from '../lib/edge-errors.ts';
import { greaterThanPattern } from '../lib/waf/numeric-regex.ts';
import { logRemovalPolicy, resourcePrefix, retentionDays } from './stack-helpers.ts';

export interface EdgeGlobalStackProps extends StackProps {
  readonly config: StageConfig;
}

/** The web ACL's name, fixed so the monitoring stack needs no cross-region reference for it. */
export function webAclName(config: StageConfig): string {
  return `${resourcePrefix(config)}-edge`;
}

const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
  sampledRequestsEnabled: true,
  cloudWatchMetricsEnabled: true,
  metricName,
});

/** Managed rules that misfire on the API's JSON bodies and callers: counted, never blocking. */
export const COUNTED_MANAGED_RULES = {
  AWSManagedRulesCommonRuleSet: [
    // 8 KB: an 8,000-character prompt is a normal request; our own size rule matches the app.
    'SizeRestrictions_BODY',
    // Prompts carry code and markup; the API stores and returns JSON, never renders HTML.
    'CrossSiteScripting_BODY',
    // Prompts mention paths such as ../../etc/passwd; the API opens no file a body names.
    'GenericLFI_BODY',
  ],
  // Cloud-hosted callers include CI runners (the production smoke test) and server-side clients.
  AWSManagedRulesAnonymousIpList: ['HostingProviderIPList'],
} as const satisfies Record<string, readonly string[]>;

/** The labels the counted Common Rule Set body rules add (matched outside the API below). */
export const COUNTED_BODY_LABELS = [
  'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body',
  'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body',
  'awswaf:managed:aws:core-rule-set:GenericLFI_Body',
] as const;

/** Paths whose bodies are the API's JSON (the counted body rules still block elsewhere). */
export const API_PATH_PREFIX = '/api/';

const managedRule = (name: string, priority: number): CfnWebACL.RuleProperty => {
  const counted: readonly string[] =
    COUNTED_MANAGED_RULES[name as keyof typeof COUNTED_MANAGED_RULES] ?? [];
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(counted.length > 0
          ? {
              ruleActionOverrides: counted.map((rule) => ({
                name: rule,
                actionToUse: { count: {} },
              })),
            }
          : {}),
      },
    },
    visibilityConfig: visibility(name),
  };
};

/**
 * Resources CloudFront only accepts from us-east-1: the CLOUDFRONT-scope web ACL, the viewer
 * certificate and the Lambda@Edge origin-request signer. The main-region edge stack reads them through `crossRegionReferences`
 * (SSM parameters written here, read there by a CDK-managed custom resource).
 */
export class EdgeGlobalStack extends Stack {
  readonly webAcl: CfnWebACL;
  readonly certificate: Certificate;
  /** The Lambda@Edge function that hashes request bodies for OAC signing. */
  readonly originRequestSigner: OriginRequestSigner;

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
      // CloudFront's default body inspection (16 KB, no extra charge), chosen deliberately: the
      // body rules read the first 16 KB; the size rule below reads Content-Length, not the body.
      customResponseBodies: {
        PayloadTooLarge: {
          contentType: 'APPLICATION_JSON',
          content: edgeErrorBody({
            code: PAYLOAD_TOO_LARGE,
            message: `The request body exceeds ${config.api.bodyLimitBytes} bytes`,
            details: { maxBytes: config.api.bodyLimitBytes },
          }),
        },
      },
      associationConfig: {
        requestBody: { CLOUDFRONT: { defaultSizeInspectionLimit: 'KB_16' } },
      },
      rules: [
        {
          // The app's own limit, before any managed rule: a declared body above BODY_LIMIT_BYTES
          // never reaches the edge signer or the function. (Lambda@Edge refuses any body over
          // 1 MB too, declared or not.)
          name: 'BodyOverAppLimit',
          priority: 0,
          action: {
            block: {
              customResponse: { responseCode: 413, customResponseBodyKey: 'PayloadTooLarge' },
            },
          },
          statement: {
            regexMatchStatement: {
              regexString: greaterThanPattern(config.api.bodyLimitBytes),
              fieldToMatch: { singleHeader: { Name: 'content-length' } },
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          visibilityConfig: visibility('BodyOverAppLimit'),
        },
        managedRule('AWSManagedRulesAmazonIpReputationList', 1),
        managedRule('AWSManagedRulesAnonymousIpList', 2),
        managedRule('AWSManagedRulesKnownBadInputsRuleSet', 3),
        managedRule('AWSManagedRulesCommonRuleSet', 4),
        {
          // The counted body rules still block outside the API's JSON paths (/health, /docs …).
          name: 'CountedBodyRulesOutsideApi',
          priority: 5,
          action: { block: {} },
          statement: {
            andStatement: {
              statements: [
                {
                  orStatement: {
                    statements: COUNTED_BODY_LABELS.map((key) => ({
                      labelMatchStatement: { scope: 'LABEL', key },
                    })),
                  },
                },
                {
                  notStatement: {
                    statement: {
                      byteMatchStatement: {
                        searchString: API_PATH_PREFIX,
                        fieldToMatch: { uriPath: {} },
                        positionalConstraint: 'STARTS_WITH',
                        textTransformations: [{ priority: 0, type: 'NONE' }],
                      },
                    },
                  },
                },
              ],
            },
          },
          visibilityConfig: visibility('CountedBodyRulesOutsideApi'),
        },
        {
          name: 'RateLimitPerIp',
          priority: 6,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: config.wafRateLimit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: visibility('RateLimitPerIp'),
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
    this.originRequestSigner = new OriginRequestSigner(this, 'OriginRequestSigner');

    this.certificate = new Certificate(this, 'Certificate', {
      domainName: config.domain.name,
      validation: CertificateValidation.fromDns(zone),
    });
  }
}
