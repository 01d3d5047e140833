import { describe, expect, test } from 'bun:test';
import { LAMBDA_BUNDLE } from '@backend/api/bundle';
import { Match } from 'aws-cdk-lib/assertions';
import { STAGE_CONFIGS, STAGE_NAMES, type StageName } from '../../src/config.ts';
import { concreteEnv } from '../helpers/env.ts';
import { stageApp, TEST_DEPLOYMENT, template } from '../helpers/synth.ts';

/** The API function's environment with tokens made concrete, as they are after deployment. */
const concreteApiEnv = (stage: StageName) =>
  concreteEnv(apiFunction(stage).Environment.Variables as Record<string, unknown>);

/** The output a cross-stack `Fn::ImportValue` reads, resolved to its value in the producer. */
function importedValue(value: unknown, stage: StageName): unknown {
  const exportName = (value as { 'Fn::ImportValue'?: string })['Fn::ImportValue'];
  if (!exportName) throw new Error(`not an import: ${JSON.stringify(value)}`);
  const { stacks } = stageApp(stage);
  for (const stack of Object.values(stacks)) {
    const outputs = template(stack).toJSON().Outputs ?? {};
    for (const output of Object.values(outputs) as {
      Value: unknown;
      Export?: { Name: string };
    }[]) {
      if (output.Export?.Name === exportName) return output.Value;
    }
  }
  throw new Error(`no export ${exportName}`);
}

/** Variables every stage gets (secret ARNs of optional providers aside). */
const EXPECTED_ENV = [
  'STAGE',
  'LOG_LEVEL',
  'PUBLIC_URL',
  'EMAIL_PROVIDER',
  'EMAIL_FROM',
  'DATABASE_HOST',
  'DATABASE_READER_HOST',
  'DATABASE_NAME',
  'DATABASE_SECRET_ARN',
  'REDIS_HOST',
  'REDIS_PORT',
  'REDIS_TLS',
  'REDIS_AUTH_SECRET_ARN',
  'AUTH_SECRET_ARN',
  'ORIGIN_VERIFY_SECRET_ARN',
  'TRUSTED_IP_HEADER',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_TRACE_ENABLED',
  'AI_REQUEST_TIMEOUT_MS',
  'OPENAI_TIMEOUT_MS',
  'BODY_LIMIT_BYTES',
  'JOBS_QUEUE_URL',
  'UPLOADS_BUCKET',
];

/** The API function's properties, or the worker's (the stack's two functions). */
function apiFunction(stage: StageName, which: 'Api' | 'Jobs' = 'Api') {
  const functions = template(stageApp(stage).stacks.api).findResources('AWS::Lambda::Function');
  const fn = Object.entries(functions).find(([id]) => id.startsWith(`${which}`))?.[1];
  if (!fn) throw new Error(`no ${which} function`);
  return fn.Properties;
}

describe('ApiStack', () => {
  test('Node.js 22 on ARM64 with active tracing, JSON logs to an explicit log group', () => {
    template(stageApp('prod').stacks.api).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      MemorySize: 1769,
      Timeout: 130,
      ReservedConcurrentExecutions: 200,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: Match.anyValue() }),
      VpcConfig: Match.anyValue(),
    });
    template(stageApp('prod').stacks.api).hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
    });
  });

  test('environment: the variables the app (or Powertools) reads, and no secret values', () => {
    const env = apiFunction('prod').Environment.Variables as Record<string, unknown>;
    expect(Object.keys(env).sort()).toEqual([...EXPECTED_ENV, 'OPENAI_SECRET_ARN'].sort());
    expect(env).toMatchObject({
      STAGE: 'prod',
      LOG_LEVEL: 'info',
      PUBLIC_URL: 'https://api.example.test',
      REDIS_TLS: 'true',
      TRUSTED_IP_HEADER: 'cloudfront-viewer-address',
      EMAIL_PROVIDER: 'ses',
      EMAIL_FROM: 'no-reply@api.example.test',
      POWERTOOLS_SERVICE_NAME: 'hono-ai-backend',
      POWERTOOLS_METRICS_NAMESPACE: 'HonoAiBackend/prod',
      POWERTOOLS_TRACE_ENABLED: 'true',
    });
    const raw = JSON.stringify(template(stageApp('prod').stacks.api).toJSON());
    expect(raw).not.toContain('resolve:secretsmanager');
    expect(raw).not.toContain('"SecretString"');
  });

  test.each(STAGE_NAMES)(
    '%s: every variable but Powertools’ and Node’s is one the app reads',
    async (stage) => {
      const { parseEnv } = await import('@backend/api/env');
      const env = concreteApiEnv(stage);
      const parsed = parseEnv(env) as Record<string, unknown>;
      const unread = Object.keys(env).filter(
        (key) => !key.startsWith('POWERTOOLS_') && !(key in parsed),
      );
      expect(unread).toEqual([]);
    },
  );

  test('AI provider secrets follow the stage flags: none in dev, OpenAI in prod, both in staging', () => {
    const keys = (stage: StageName) => Object.keys(apiFunction(stage).Environment.Variables);
    expect(keys('dev')).not.toContain('OPENAI_SECRET_ARN');
    expect(keys('dev')).not.toContain('LANGSMITH_SECRET_ARN');
    expect(keys('prod')).toContain('OPENAI_SECRET_ARN');
    expect(keys('prod')).not.toContain('LANGSMITH_SECRET_ARN');
    expect(keys('staging')).toEqual(
      expect.arrayContaining(['OPENAI_SECRET_ARN', 'LANGSMITH_SECRET_ARN']),
    );
    const described = (stage: StageName) =>
      Object.values(
        template(stageApp(stage).stacks.api).findResources('AWS::SecretsManager::Secret'),
      )
        .map((secret) => String(secret.Properties.Description))
        .filter((text) => /OpenAI|LangSmith/.test(text));
    expect(described('dev')).toEqual([]);
    expect(described('staging')).toHaveLength(2);
    template(stageApp('staging').stacks.api).hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('OpenAI'),
      GenerateSecretString: Match.anyValue(),
      SecretString: Match.absent(),
    });
  });

  test('log level per stage: the app, Powertools and Lambda’s log filter agree', () => {
    for (const [stage, level] of [
      ['dev', 'DEBUG'],
      ['staging', 'INFO'],
      ['prod', 'INFO'],
    ] as const) {
      const fn = apiFunction(stage);
      expect(fn.Environment.Variables.LOG_LEVEL).toBe(level.toLowerCase());
      expect(fn.LoggingConfig.ApplicationLogLevel).toBe(level);
    }
  });

  test('the environment points at the proxy, its reader endpoint and the cache endpoint', () => {
    const env = apiFunction('prod').Environment.Variables;
    expect(JSON.stringify(importedValue(env.DATABASE_HOST, 'prod'))).toMatch(
      /"Fn::GetAtt":\["DatabaseClusterProxy[0-9A-F]{8}","Endpoint"\]/,
    );
    expect(JSON.stringify(importedValue(env.DATABASE_READER_HOST, 'prod'))).toMatch(
      /"Fn::GetAtt":\["DatabaseProxyReadOnlyEndpoint[0-9A-F]{8}","Endpoint"\]/,
    );
    expect(JSON.stringify(importedValue(env.REDIS_HOST, 'prod'))).toContain(
      '"PrimaryEndPoint.Address"',
    );
    expect(JSON.stringify(importedValue(env.REDIS_PORT, 'prod'))).toContain(
      '"PrimaryEndPoint.Port"',
    );
  });

  test.each(STAGE_NAMES)(
    '%s: reads go through the proxy (its read-only endpoint with a reader, the proxy itself without)',
    (stage) => {
      const env = apiFunction(stage).Environment.Variables;
      const reader = JSON.stringify(importedValue(env.DATABASE_READER_HOST, stage));
      // The cluster admits only the proxy: its own endpoints are unreachable from the function.
      expect(reader).not.toContain('ReadEndpoint');
      expect(reader).not.toMatch(/"DatabaseCluster[0-9A-F]{8}"/);
      if (STAGE_CONFIGS[stage].database.reader) {
        expect(reader).toMatch(
          /"Fn::GetAtt":\["DatabaseProxyReadOnlyEndpoint[0-9A-F]{8}","Endpoint"\]/,
        );
      } else {
        expect(reader).toBe(JSON.stringify(importedValue(env.DATABASE_HOST, stage)));
      }
    },
  );

  test.each(STAGE_NAMES)(
    '%s: the function outlives the AI timeouts it sets (timeout ≥ AI_REQUEST_TIMEOUT_MS + 10 s)',
    (stage) => {
      const fn = apiFunction(stage);
      const env = fn.Environment.Variables as Record<string, string>;
      const aiMs = Number(env.AI_REQUEST_TIMEOUT_MS);
      const providerMs = Number(env.OPENAI_TIMEOUT_MS);
      expect(aiMs).toBe(STAGE_CONFIGS[stage].api.aiRequestTimeoutMs);
      expect(providerMs).toBe(STAGE_CONFIGS[stage].api.openAiTimeoutMs);
      expect(providerMs).toBeLessThanOrEqual(aiMs);
      expect(fn.Timeout * 1000).toBeGreaterThanOrEqual(aiMs + 10_000);
    },
  );

  test('the function may read exactly its secrets, by ARN', () => {
    const count = (stage: StageName) => {
      const policies = template(stageApp(stage).stacks.api).findResources('AWS::IAM::Policy');
      const statements = Object.entries(policies)
        .filter(([id]) => id.startsWith('ApiFunction'))
        .map(([, policy]) => policy)
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      const resources = statements
        .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))
        .flatMap((s) => [s.Resource].flat());
      expect(JSON.stringify(resources)).not.toContain('"*"');
      return resources.length;
    };
    // database, cache token, Better Auth, origin header; + OpenAI (prod); + LangSmith (staging)
    expect(count('dev')).toBe(4);
    expect(count('prod')).toBe(5);
    expect(count('staging')).toBe(6);
  });

  test('the function may send email from its own domain identity only', () => {
    const policies = template(stageApp('prod').stacks.api).findResources('AWS::IAM::Policy');
    const sends = Object.values(policies)
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => [s.Action].flat().some((action: string) => action.startsWith('ses:')));
    expect(sends).toHaveLength(1);
    expect([sends[0].Action].flat()).toEqual(['ses:SendEmail']);
    expect(JSON.stringify(sends[0].Resource)).toContain(':identity/api.example.test');
  });

  test('the environment satisfies the app’s own validation for a deployed stage', async () => {
    const { parseEnv } = await import('@backend/api/env');
    for (const stage of STAGE_NAMES) expect(() => parseEnv(concreteApiEnv(stage))).not.toThrow();
  });

  test('bundled as ESM for Node 22, minified, with source maps (packages/api/src/bundle.ts)', () => {
    expect(LAMBDA_BUNDLE).toMatchObject({
      format: 'esm',
      target: 'node22',
      minify: true,
      sourcemap: true,
    });
    expect(apiFunction('prod').Handler).toBe('index.handler');
  });

  test('app secrets outlive a deleted stack outside dev (an operator-stored key is not lost)', () => {
    const policies = (stage: StageName) =>
      Object.values(
        template(stageApp(stage).stacks.api).findResources('AWS::SecretsManager::Secret'),
      ).map((secret) => secret.DeletionPolicy);
    expect(new Set(policies('prod'))).toEqual(new Set(['Retain']));
    expect(new Set(policies('staging'))).toEqual(new Set(['Retain']));
    expect(new Set(policies('dev'))).toEqual(new Set(['Delete']));
  });

  test('memory, timeout and reserved concurrency per stage', () => {
    expect(apiFunction('dev')).toMatchObject({ MemorySize: 1024, Timeout: 75 });
    expect(apiFunction('dev').ReservedConcurrentExecutions).toBeUndefined();
    expect(apiFunction('staging')).toMatchObject({
      MemorySize: 1536,
      ReservedConcurrentExecutions: 50,
    });
  });

  test('provisioned concurrency on the live alias in prod; none in dev', () => {
    template(stageApp('prod').stacks.api).hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 },
    });
    template(stageApp('dev').stacks.api).hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      ProvisionedConcurrencyConfig: Match.absent(),
    });
  });

  test('a streaming Function URL on the alias, auth AWS_IAM (only CloudFront’s signed requests reach it)', () => {
    template(stageApp('prod').stacks.api).hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      InvokeMode: 'RESPONSE_STREAM',
      Qualifier: 'live',
    });
  });

  test('cold starts become the ColdStart metric in HonoAiBackend/<stage>', () => {
    template(stageApp('prod').stacks.api).hasResourceProperties('AWS::Logs::MetricFilter', {
      MetricTransformations: [
        Match.objectLike({ MetricName: 'ColdStart', MetricNamespace: 'HonoAiBackend/prod' }),
      ],
    });
  });
});

describe.each(STAGE_NAMES)('canary releases (%s)', (stage) => {
  test('CodeDeploy shifts the live alias: 10% for 5 minutes where the stage says canary, else all at once', () => {
    const t = template(stageApp(stage).stacks.api);
    const expected =
      STAGE_CONFIGS[stage].api.release === 'canary'
        ? 'CodeDeployDefault.LambdaCanary10Percent5Minutes'
        : 'CodeDeployDefault.LambdaAllAtOnce';
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: expected,
      DeploymentGroupName: `hono-ai-backend-${stage}-api-live`,
      AutoRollbackConfiguration: {
        Enabled: true,
        Events: Match.arrayWith(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
      },
    });
    const [alias] = Object.values(t.findResources('AWS::Lambda::Alias'));
    expect(alias?.UpdatePolicy?.CodeDeployLambdaAliasUpdate).toBeDefined();
  });

  test('alarms on errors, 5xx and p99 latency of the alias roll a release back by themselves', () => {
    const t = template(stageApp(stage).stacks.api);
    const [group] = Object.values(t.findResources('AWS::CodeDeploy::DeploymentGroup'));
    if (!group) throw new Error('no deployment group');
    const alarmRefs = (group.Properties.AlarmConfiguration.Alarms as { Name: { Ref: string } }[])
      .map((a) => a.Name.Ref)
      .sort();
    expect(group.Properties.AlarmConfiguration.Enabled).toBe(true);
    const alarms = t.toJSON().Resources as Record<string, { Properties: Record<string, unknown> }>;
    const metrics = alarmRefs.map((ref) => alarms[ref]?.Properties.MetricName).sort();
    expect(metrics).toEqual(['Errors', 'Url5xxCount', 'UrlRequestLatency']);
    for (const ref of alarmRefs) {
      expect(JSON.stringify(alarms[ref]?.Properties.Dimensions)).toContain(':live');
    }
  });
});

describe.each(STAGE_NAMES)('email through SES (%s)', (stage) => {
  test('a domain identity with Easy DKIM, its three CNAME records in the hosted zone', () => {
    const t = template(stageApp(stage).stacks.api);
    const domain = TEST_DEPLOYMENT[stage].domainName;
    t.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: domain,
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
    const records = Object.values(t.findResources('AWS::Route53::RecordSet')).map(
      (r) => r.Properties,
    );
    const cnames = records.filter((r) => r.Type === 'CNAME');
    expect(cnames).toHaveLength(3);
    for (const record of cnames) {
      expect(record.HostedZoneId).toBe(TEST_DEPLOYMENT[stage].hostedZoneId);
      expect(JSON.stringify(record.Name)).toContain('DkimDNSTokenName');
      expect(JSON.stringify(record.ResourceRecords)).toContain('DkimDNSTokenValue');
    }
  });

  test('a configuration set with reputation (bounce and complaint) metrics, TLS required', () => {
    template(stageApp(stage).stacks.api).hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: `hono-ai-backend-${stage}-email`,
      ReputationOptions: { ReputationMetricsEnabled: true },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  test('the function may send through that identity and configuration set only', () => {
    const policies = template(stageApp(stage).stacks.api).findResources('AWS::IAM::Policy');
    const [send] = Object.values(policies)
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => [s.Action].flat().includes('ses:SendEmail'));
    const resources = JSON.stringify(send.Resource);
    expect(resources).toContain(`:identity/${TEST_DEPLOYMENT[stage].domainName}`);
    expect(resources).toContain(`:configuration-set/hono-ai-backend-${stage}-email`);
  });
});
