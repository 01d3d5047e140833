import { describe, expect, test } from 'bun:test';
import { Match } from 'aws-cdk-lib/assertions';
import { stageApp, template } from '../helpers/synth.ts';

const EXPECTED_ENV = [
  'STAGE',
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
  'OPENAI_SECRET_ARN',
  'LANGSMITH_SECRET_ARN',
  'ORIGIN_VERIFY_SECRET_ARN',
  'TRUSTED_IP_HEADER',
];

function apiFunction(stage: 'dev' | 'prod') {
  const functions = template(stageApp(stage).stacks.api).findResources('AWS::Lambda::Function');
  const [fn] = Object.values(functions);
  if (!fn) throw new Error('no function');
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
      Timeout: 60,
      ReservedConcurrentExecutions: 200,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: Match.anyValue() }),
      VpcConfig: Match.anyValue(),
    });
    template(stageApp('prod').stacks.api).hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
    });
  });

  test('environment has exactly the variables the app reads, and no secret values', () => {
    const env = apiFunction('prod').Environment.Variables as Record<string, unknown>;
    expect(
      Object.keys(env)
        .filter((k) => k !== 'NODE_OPTIONS')
        .sort(),
    ).toEqual([...EXPECTED_ENV].sort());
    expect(env).toMatchObject({
      STAGE: 'prod',
      PUBLIC_URL: 'https://api.example.com',
      REDIS_TLS: 'true',
      TRUSTED_IP_HEADER: 'cloudfront-viewer-address',
      EMAIL_PROVIDER: 'ses',
      EMAIL_FROM: 'no-reply@api.example.com',
    });
    expect(JSON.stringify(env)).not.toContain('resolve:secretsmanager');
  });

  test('the function may read exactly its six secrets', () => {
    const policies = template(stageApp('prod').stacks.api).findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    const secretReads = statements.filter((s) =>
      [s.Action].flat().includes('secretsmanager:GetSecretValue'),
    );
    const resources = secretReads.flatMap((s) => [s.Resource].flat());
    expect(resources).toHaveLength(6);
    expect(JSON.stringify(resources)).not.toContain('"*"');
  });

  test('the function may send email from its own domain identity only', () => {
    const policies = template(stageApp('prod').stacks.api).findResources('AWS::IAM::Policy');
    const sends = Object.values(policies)
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => [s.Action].flat().some((action: string) => action.startsWith('ses:')));
    expect(sends).toHaveLength(1);
    expect([sends[0].Action].flat()).toEqual(['ses:SendEmail']);
    expect(JSON.stringify(sends[0].Resource)).toContain(':identity/api.example.com');
  });

  test('the environment satisfies the app’s own validation for a deployed stage', async () => {
    const { parseEnv } = await import('@backend/api/env');
    const env = apiFunction('prod').Environment.Variables as Record<string, unknown>;
    // Tokens (CloudFormation references) stand in for ARNs and endpoints resolved at deploy.
    const concrete = Object.fromEntries(
      Object.entries(env).map(([key, value]) => [
        key,
        typeof value === 'string'
          ? value
          : key.endsWith('_ARN')
            ? `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${key.toLowerCase()}-AbC123`
            : key.endsWith('_PORT')
              ? '6379'
              : 'resolved.example.internal',
      ]),
    );
    expect(() => parseEnv(concrete)).not.toThrow();
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

  test('a streaming Function URL on the alias, auth NONE (the origin header protects it)', () => {
    template(stageApp('prod').stacks.api).hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
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
