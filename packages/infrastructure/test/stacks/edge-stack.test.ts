import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { STAGE_NAMES } from '../../src/config.ts';
import { stageApp, template } from '../helpers/synth.ts';

const distribution = () => {
  const resources = template(stageApp('prod').stacks.edge).findResources(
    'AWS::CloudFront::Distribution',
  );
  const [d] = Object.values(resources);
  if (!d) throw new Error('no distribution');
  return d.Properties.DistributionConfig;
};

describe('EdgeStack', () => {
  test('CloudFront reaches the Function URL over HTTPS only, GET/HEAD cached, every method allowed', () => {
    const config = distribution();
    const origin = config.Origins[0];
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect(origin.CustomOriginConfig.OriginSSLProtocols).toEqual(['TLSv1.2']);
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(behavior.CachedMethods).toEqual(['GET', 'HEAD']);
      expect(behavior.AllowedMethods).toContain('POST');
    }
  });

  test('a response-headers policy adds HSTS, nosniff and frame denial', () => {
    template(stageApp('prod').stacks.edge).hasResourceProperties(
      'AWS::CloudFront::ResponseHeadersPolicy',
      {
        ResponseHeadersPolicyConfig: Match.objectLike({
          SecurityHeadersConfig: Match.objectLike({
            StrictTransportSecurity: Match.objectLike({ Override: true, IncludeSubdomains: true }),
            ContentTypeOptions: { Override: true },
            FrameOptions: { FrameOption: 'DENY', Override: true },
          }),
        }),
      },
    );
  });

  test('access logs go to an encrypted, private log bucket', () => {
    const config = distribution();
    expect(config.Logging.Bucket).toBeDefined();
    template(stageApp('prod').stacks.edge).hasResourceProperties('AWS::S3::Bucket', {
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true }),
      BucketEncryption: Match.anyValue(),
    });
  });

  test('the origin-protection choice is documented where operators read it', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('## Origin protection');
    expect(readme).toContain('x-origin-verify');
    expect(readme).toContain('## Why the WAF lives in us-east-1');
  });

  test('HTTPS only, TLS 1.2+, HTTP/2 and HTTP/3, logs, WAF', () => {
    const config = distribution();
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.ViewerCertificate.MinimumProtocolVersion).toBe('TLSv1.2_2021');
    expect(config.HttpVersion).toBe('http2and3');
    expect(config.Logging).toBeDefined();
    expect(config.WebACLId).toBeDefined();
    expect(config.Aliases).toEqual(['api.example.test']);
  });

  test('origin protection: x-origin-verify comes from a Secrets Manager dynamic reference, never a literal', () => {
    const origin = distribution().Origins[0];
    const header = origin.OriginCustomHeaders.find(
      (h: { HeaderName: string }) => h.HeaderName === 'x-origin-verify',
    );
    expect(JSON.stringify(header.HeaderValue)).toContain('{{resolve:secretsmanager:');
    const raw = JSON.stringify(template(stageApp('prod').stacks.edge).toJSON());
    expect(raw).toContain('{{resolve:secretsmanager:');
    // The generated value lives only in Secrets Manager: the API stack declares a generator, not a value.
    template(stageApp('prod').stacks.api).hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: 'Value CloudFront sends in x-origin-verify',
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
      SecretString: Match.absent(),
    });
  });

  test('/api/* is never cached; other paths honour Cache-Control (min TTL 0, so private/no-store are not cached) keyed on every credential', () => {
    const config = distribution();
    const api = config.CacheBehaviors.find(
      (b: { PathPattern: string }) => b.PathPattern === '/api/*',
    );
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    template(stageApp('prod').stacks.edge).hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        MinTTL: 0,
        DefaultTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization', 'x-api-key'] },
          QueryStringsConfig: { QueryStringBehavior: 'all' },
          CookiesConfig: {
            CookieBehavior: 'whitelist',
            Cookies: ['better-auth.session_token', '__Secure-better-auth.session_token'],
          },
        }),
      }),
    });
  });

  test('origin requests forward all viewer headers except Host (managed policy), cookies and queries', () => {
    const config = distribution();
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
      expect(behavior.ResponseHeadersPolicyId).toBeDefined();
    }
  });

  test('the WAF lives in us-east-1 with CLOUDFRONT scope, managed rule groups and a rate rule', () => {
    const global = stageApp('prod').stacks.edgeGlobal;
    expect(global.region).toBe('us-east-1');
    const t = template(global);
    t.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: {
              VendorName: 'AWS',
              Name: 'AWSManagedRulesAmazonIpReputationList',
            },
          },
        }),
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: {
              VendorName: 'AWS',
              Name: 'AWSManagedRulesAnonymousIpList',
            },
          },
        }),
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: {
              VendorName: 'AWS',
              Name: 'AWSManagedRulesKnownBadInputsRuleSet',
            },
          },
        }),
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' },
          },
        }),
        Match.objectLike({
          Statement: {
            RateBasedStatement: Match.objectLike({ Limit: 1000, AggregateKeyType: 'IP' }),
          },
        }),
      ]),
    });
    t.resourceCountIs('AWS::WAFv2::LoggingConfiguration', 1);
    t.hasResourceProperties('AWS::WAFv2::WebACL', {
      DefaultAction: { Allow: {} },
      Rules: Match.arrayWith([Match.objectLike({ Name: 'RateLimitPerIp', Action: { Block: {} } })]),
    });
    // The distribution in the main region reads the ACL through a cross-region reference.
    expect(JSON.stringify(distribution().WebACLId)).toContain('WebAcl');
    expect(stageApp('prod').stacks.edge.region).toBe('eu-west-1');
  });
});

describe.each(STAGE_NAMES)('Origin Access Control (%s)', (stage) => {
  const distributionOf = () => {
    const [resource] = Object.values(
      template(stageApp(stage).stacks.edge).findResources('AWS::CloudFront::Distribution'),
    );
    return resource?.Properties.DistributionConfig;
  };

  test('the Function URL takes only signed requests (AWS_IAM) and still streams', () => {
    template(stageApp(stage).stacks.api).hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      InvokeMode: 'RESPONSE_STREAM',
    });
  });

  test('CloudFront signs every origin request with SigV4 through an OAC for Lambda', () => {
    const t = template(stageApp(stage).stacks.edge);
    t.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 'lambda',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
        Name: Match.anyValue(),
      },
    });
    const [origin] = distributionOf().Origins;
    expect(JSON.stringify(origin.OriginAccessControlId)).toContain('OriginAccessControl');
  });

  test('only this distribution may invoke the URL (InvokeFunctionUrl and InvokeFunction)', () => {
    const permissions = Object.values(
      template(stageApp(stage).stacks.edge).findResources('AWS::Lambda::Permission'),
    ).map((p) => p.Properties);
    const actions = permissions
      .filter((p) => p.Principal === 'cloudfront.amazonaws.com')
      .map((p) => {
        expect(JSON.stringify(p.SourceArn)).toContain(':distribution/');
        return p.Action;
      })
      .sort();
    expect(actions).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl']);
    const invoke = permissions.find((p) => p.Action === 'lambda:InvokeFunction');
    expect(invoke?.InvokedViaFunctionUrl).toBe(true);
  });

  test('every behavior runs the edge signer on origin requests, with the body', () => {
    const config = distributionOf();
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.LambdaFunctionAssociations).toHaveLength(1);
      expect(behavior.LambdaFunctionAssociations[0]).toMatchObject({
        EventType: 'origin-request',
        IncludeBody: true,
      });
      // A version from the us-east-1 stack, read through a cross-region reference.
      expect(JSON.stringify(behavior.LambdaFunctionAssociations[0].LambdaFunctionARN)).toContain(
        'OriginRequestSigner',
      );
    }
  });

  test('the edge signer is a published x86_64 version in us-east-1, without environment', () => {
    const global = stageApp(stage).stacks.edgeGlobal;
    expect(global.region).toBe('us-east-1');
    const t = template(global);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['x86_64'],
      Runtime: 'nodejs22.x',
      Environment: Match.absent(),
      VpcConfig: Match.absent(),
    });
    t.resourceCountIs('AWS::Lambda::Version', 1);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: Match.arrayWith(['edgelambda.amazonaws.com']) },
          }),
        ]),
      },
    });
  });

  test('CloudFront sends the current origin-verify value; the secret is JSON {current}', () => {
    const [origin] = distributionOf().Origins;
    const header = origin.OriginCustomHeaders.find(
      (h: { HeaderName: string }) => h.HeaderName === 'x-origin-verify',
    );
    expect(JSON.stringify(header.HeaderValue)).toContain(':SecretString:current::}}');
    template(stageApp(stage).stacks.api).hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: '{}',
        GenerateStringKey: 'current',
      }),
    });
  });
});
