import { CfnOutput, Duration, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CacheCookieBehavior,
  CachedMethods,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  CfnMonitoringSubscription,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  LambdaEdgeEventType,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { CfnPermission, type IFunctionUrl, type IVersion } from 'aws-cdk-lib/aws-lambda';
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { CloudFrontTarget } from 'aws-cdk-lib/aws-route53-targets';
import { ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { originReadTimeoutSeconds, type StageConfig } from '../config.ts';
import { acknowledge } from '../lib/acknowledge.ts';
import { SecureBucket } from '../lib/constructs/secure-s3.ts';
import { ORIGIN_VERIFY_CURRENT_FIELD, ORIGIN_VERIFY_HEADER } from './api-stack.ts';
import { bucketRemovalPolicy } from './stack-helpers.ts';

/** The request headers that carry a credential: a bearer session token or an API key. */
export const CREDENTIAL_HEADERS = ['Authorization', 'x-api-key'];

/** Better Auth's session cookie, plain and with the `__Secure-` prefix it uses on https. */
export const SESSION_COOKIES = ['better-auth.session_token', '__Secure-better-auth.session_token'];

export interface EdgeStackProps extends StackProps {
  readonly config: StageConfig;
  readonly functionUrl: IFunctionUrl;
  readonly originVerifySecret: ISecret;
  /** The Lambda@Edge origin-request function version (from the us-east-1 stack). */
  readonly originRequestSigner: IVersion;
  /** The CLOUDFRONT-scope web ACL (from the us-east-1 stack). */
  readonly webAclArn: string;
  /** The viewer certificate (from the us-east-1 stack). */
  readonly certificate: ICertificate;
}

/**
 * CloudFront in front of the Function URL. `/api/*` is never cached; other paths honour
 * the origin's Cache-Control with the Authorization header and session cookie in the key.
 */
export class EdgeStack extends Stack {
  readonly distribution: Distribution;
  readonly logBucket: SecureBucket;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { config } = props;

    this.logBucket = new SecureBucket(this, 'AccessLogs', {
      // CloudFront standard logging writes with ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      expireAfterDays: 90,
      removalPolicy: bucketRemovalPolicy(config),
    });

    // The value is a CloudFormation dynamic reference resolved at deploy time: the secret
    // never appears in the template, the assembly or the CloudFormation console. CloudFront
    // sends the `current` value; the app also accepts `previous` while it rotates.
    const originVerify = SecretValue.secretsManager(props.originVerifySecret.secretArn, {
      jsonField: ORIGIN_VERIFY_CURRENT_FIELD,
    }).unsafeUnwrap();
    // Origin Access Control: CloudFront signs every origin request (SigV4) and the Function URL
    // (AuthType AWS_IAM) admits only this distribution, so nothing skips the WAF.
    const origin = FunctionUrlOrigin.withOriginAccessControl(props.functionUrl, {
      customHeaders: { [ORIGIN_VERIFY_HEADER]: originVerify },
      // Above the app's AI deadline: a non-streaming AI call sends nothing until it is done.
      // Streams stay under it between bytes by their 15 s heartbeat.
      readTimeout: Duration.seconds(originReadTimeoutSeconds(config.api)),
      keepaliveTimeout: Duration.seconds(60),
    });

    const cachePolicy = new CachePolicy(this, 'HonourOriginCachePolicy', {
      comment:
        'Honours origin Cache-Control; every credential (Authorization, x-api-key, session cookie) is in the key',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.days(365),
      // Each of the app's credentials: a response to one caller is never served to another.
      headerBehavior: CacheHeaderBehavior.allowList(...CREDENTIAL_HEADERS),
      cookieBehavior: CacheCookieBehavior.allowList(...SESSION_COOKIES),
      queryStringBehavior: CacheQueryStringBehavior.all(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const responseHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Security headers on every response',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: false,
        },
      },
    });
    // All viewer headers except Host (a Function URL rejects a foreign Host), plus the
    // CloudFront-* headers (CloudFront-Viewer-Address among them), cookies and query strings.
    const originRequestPolicy = OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER;
    const behavior = {
      origin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachedMethods: CachedMethods.CACHE_GET_HEAD,
      originRequestPolicy,
      responseHeadersPolicy: responseHeaders,
      compress: true,
      // Puts the body's SHA-256 in x-amz-content-sha256, which OAC needs to sign a body.
      edgeLambdas: [
        {
          functionVersion: props.originRequestSigner,
          eventType: LambdaEdgeEventType.ORIGIN_REQUEST,
          includeBody: true,
        },
      ],
    };

    const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: config.domain.hostedZoneId,
      zoneName: config.domain.hostedZoneName,
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${config.project} ${config.stage}`,
      defaultBehavior: { ...behavior, cachePolicy },
      additionalBehaviors: {
        '/api/*': { ...behavior, cachePolicy: CachePolicy.CACHING_DISABLED },
      },
      domainNames: [config.domain.name],
      certificate: props.certificate,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: config.stage === 'prod' ? PriceClass.PRICE_CLASS_ALL : PriceClass.PRICE_CLASS_100,
      webAclId: props.webAclArn,
      enableLogging: true,
      logBucket: this.logBucket.bucket,
      logFilePrefix: 'cloudfront/',
    });
    // CloudFront's additional metrics (origin latency among them), alarmed in us-east-1.
    new CfnMonitoringSubscription(this, 'AdditionalMetrics', {
      distributionId: this.distribution.distributionId,
      monitoringSubscription: {
        realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: 'Enabled' },
      },
    });
    // Function URLs created since October 2025 need lambda:InvokeFunction beside the
    // lambda:InvokeFunctionUrl the OAC origin grants; both only for this distribution.
    new CfnPermission(this, 'InvokeFromDistribution', {
      principal: 'cloudfront.amazonaws.com',
      action: 'lambda:InvokeFunction',
      functionName: props.functionUrl.functionArn,
      sourceArn: Stack.of(this).formatArn({
        service: 'cloudfront',
        region: '',
        resource: 'distribution',
        resourceName: this.distribution.distributionId,
      }),
      invokedViaFunctionUrl: true,
    });
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'The API serves users worldwide; abuse is handled by the WAF (IP reputation, anonymous IP, rate limit), not by country.',
    );

    const target = RecordTarget.fromAlias(new CloudFrontTarget(this.distribution));
    new ARecord(this, 'AliasA', { zone, recordName: config.domain.name, target });
    new AaaaRecord(this, 'AliasAAAA', { zone, recordName: config.domain.name, target });

    new CfnOutput(this, 'DistributionDomainName', {
      value: this.distribution.distributionDomainName,
    });
    new CfnOutput(this, 'PublicUrl', { value: config.publicUrl });
  }
}
