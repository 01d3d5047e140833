/**
 * The deployment context (the CDK `-c key=value` settings that name one deployment) and the
 * resolution of a stage's configuration from it: the committed stage defaults (config.ts)
 * plus that context, validated so nothing unsafe or inconsistent is synthesized.
 */
import {
  DEFAULT_REGION,
  FUNCTION_TIMEOUT_MARGIN_MS,
  JOBS_VISIBILITY_TIMEOUT_FACTOR,
  MAX_ORIGIN_READ_TIMEOUT_SECONDS,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  originReadTimeoutSeconds,
  STAGE_CONFIGS,
  type StageConfig,
  type StageName,
} from './config.ts';

/** One CDK context key that configures a deployment. */
export interface ContextKey {
  /** The key, as in `-c <key>=<value>`. */
  readonly key: string;
  /** Whether synthesis refuses to run without it. */
  readonly required: boolean;
  /** What a valid value looks like (checked when present). */
  readonly pattern: RegExp;
  /** A sample value for error messages and docs (never used as a default). */
  readonly example: string;
}

/**
 * The CDK context (`-c key=value`; in CI one `key=value` line of the GitHub environment's
 * `CDK_CONTEXT` variable) that describes one deployment. Nothing here has a committed
 * default: a synthesis without the required keys fails and names them.
 */
export const DEPLOYMENT_CONTEXT = {
  domainName: {
    key: 'domainName',
    required: true,
    pattern: /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    example: 'api.example.com',
  },
  hostedZoneId: {
    key: 'hostedZoneId',
    required: true,
    pattern: /^Z[A-Z0-9]{1,31}$/,
    example: 'Z0123456789ABCDEFGHIJ',
  },
  hostedZoneName: {
    key: 'hostedZoneName',
    required: true,
    pattern: /^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    example: 'example.com',
  },
  githubOwner: {
    key: 'githubOwner',
    required: true,
    pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/,
    example: 'my-org',
  },
  githubRepo: {
    key: 'githubRepo',
    required: true,
    pattern: /^[A-Za-z0-9._-]{1,100}$/,
    example: 'my-repo',
  },
  alarmEmail: {
    key: 'alarmEmail',
    required: false,
    pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
    example: 'ops@example.com',
  },
  account: { key: 'account', required: false, pattern: /^\d{12}$/, example: '111122223333' },
  region: {
    key: 'region',
    required: false,
    pattern: /^[a-z]{2}(-[a-z]+)+-\d$/,
    example: 'eu-west-1',
  },
  publicUrl: {
    key: 'publicUrl',
    required: false,
    pattern: /^https:\/\/[^\s/]+$/,
    example: 'https://api.example.com',
  },
} as const satisfies Record<string, ContextKey>;

export type DeploymentContextKey = keyof typeof DEPLOYMENT_CONTEXT;

/** Configuration that cannot be deployed; the message names every problem and its fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly stage: StageName,
    readonly problems: readonly string[],
  ) {
    super(
      `Invalid ${stage} configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n` +
        'Pass deployment settings as CDK context (-c key=value; in CI, lines of the GitHub ' +
        "environment's CDK_CONTEXT variable). See docs/deploying.md.",
    );
  }
}

export interface ResolveConfigInputs {
  /** `CDK_DEFAULT_ACCOUNT` / `CDK_DEFAULT_REGION`, normally `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads one CDK context value (`app.node.tryGetContext`). */
  readonly context?: (key: string) => unknown;
}

/**
 * The configuration of one stage: the committed stage defaults plus the deployment's CDK
 * context, then the environment's account and region. Synth needs no AWS credentials:
 * without an account the stacks are account-agnostic. Throws a `ConfigError` naming every
 * missing or malformed setting.
 */
export function resolveConfig(stage: StageName, inputs: ResolveConfigInputs = {}): StageConfig {
  const base = STAGE_CONFIGS[stage];
  const env = inputs.env ?? {};
  const problems: string[] = [];
  const values: Partial<Record<DeploymentContextKey, string>> = {};
  for (const [name, spec] of Object.entries(DEPLOYMENT_CONTEXT) as [
    DeploymentContextKey,
    ContextKey,
  ][]) {
    const raw = inputs.context?.(spec.key);
    if (raw === undefined || raw === null || raw === '') {
      if (spec.required) problems.push(`${spec.key} is missing (-c ${spec.key}=${spec.example})`);
      continue;
    }
    const value = String(raw).trim();
    if (!spec.pattern.test(value)) {
      problems.push(`${spec.key} "${value}" is malformed (expected like ${spec.example})`);
      continue;
    }
    values[name] = value;
  }
  const { domainName, hostedZoneId, hostedZoneName, githubOwner, githubRepo } = values;
  if (
    !domainName ||
    !hostedZoneId ||
    !hostedZoneName ||
    !githubOwner ||
    !githubRepo ||
    problems.length > 0
  ) {
    throw new ConfigError(stage, problems);
  }
  const { githubTrust, ...defaults } = base;
  const account = values.account ?? env.CDK_DEFAULT_ACCOUNT;
  const config: StageConfig = {
    ...defaults,
    ...(account ? { account } : {}),
    ...(values.alarmEmail ? { alarmEmail: values.alarmEmail } : {}),
    region: values.region ?? env.CDK_DEFAULT_REGION ?? DEFAULT_REGION,
    publicUrl: values.publicUrl ?? `https://${domainName}`,
    domain: { name: domainName, hostedZoneId, hostedZoneName },
    github: {
      owner: githubOwner,
      repo: githubRepo,
      subject: `repo:${githubOwner}/${githubRepo}:${githubTrust}`,
    },
  };
  validateConfig(config);
  return config;
}

/** Rejects configurations that would deploy something unsafe or inconsistent. */
export function validateConfig(config: StageConfig): void {
  const problems: string[] = [];
  if (!config.publicUrl.startsWith('https://')) problems.push('publicUrl must be https');
  const { name, hostedZoneName } = config.domain;
  if (name !== hostedZoneName && !name.endsWith(`.${hostedZoneName}`)) {
    problems.push(`domainName ${name} is not inside the hosted zone ${hostedZoneName}`);
  }
  if (config.github.subject.includes('*')) problems.push('github.subject must not be a wildcard');
  if (!config.github.subject.startsWith(`repo:${config.github.owner}/${config.github.repo}:`)) {
    problems.push('github.subject must name this repository');
  }
  if (config.network.natGateways < 1 || config.network.natGateways > config.network.maxAzs) {
    problems.push('network.natGateways must be between 1 and maxAzs');
  }
  if (config.stage === 'prod' && config.features.seedData) problems.push('prod never seeds data');
  if (config.database.minCapacityAcu > config.database.maxCapacityAcu) {
    problems.push('database.minCapacityAcu exceeds maxCapacityAcu');
  }
  if (config.cache.multiAz && config.cache.nodes < 2) problems.push('cache.multiAz needs 2+ nodes');
  const { api } = config;
  if (api.timeoutSeconds * 1000 < api.aiRequestTimeoutMs + FUNCTION_TIMEOUT_MARGIN_MS) {
    problems.push(
      `api.timeoutSeconds ${api.timeoutSeconds} must be at least aiRequestTimeoutMs + ${FUNCTION_TIMEOUT_MARGIN_MS / 1000} s`,
    );
  }
  if (api.timeoutSeconds > 900) problems.push("api.timeoutSeconds exceeds Lambda's 900 s");
  const { jobs } = config;
  if (jobs.workerTimeoutSeconds < 1 || jobs.workerTimeoutSeconds > 900) {
    problems.push("jobs.workerTimeoutSeconds must be within Lambda's 1-900 s");
  }
  if (jobs.workerTimeoutSeconds * JOBS_VISIBILITY_TIMEOUT_FACTOR > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    problems.push('jobs.workerTimeoutSeconds leaves the queue no valid visibility timeout');
  }
  if (jobs.batchSize < 1 || jobs.batchSize > 10) problems.push('jobs.batchSize must be 1-10');
  if (jobs.maxConcurrency < 2 || jobs.maxConcurrency > 1000) {
    problems.push('jobs.maxConcurrency must be 2-1000');
  }
  if (jobs.maxReceiveCount < 1) problems.push('jobs.maxReceiveCount must be at least 1');
  for (const origin of config.uploads.extraAllowedOrigins) {
    if (!/^https:\/\/[^/]+$/.test(origin)) {
      problems.push(`uploads.extraAllowedOrigins: ${origin} is not an https origin`);
    }
  }
  if (api.openAiTimeoutMs > api.aiRequestTimeoutMs) {
    problems.push('api.openAiTimeoutMs exceeds aiRequestTimeoutMs');
  }
  if (originReadTimeoutSeconds(api) > MAX_ORIGIN_READ_TIMEOUT_SECONDS) {
    problems.push(
      `api.aiRequestTimeoutMs leaves no room under CloudFront's ${MAX_ORIGIN_READ_TIMEOUT_SECONDS} s origin read timeout`,
    );
  }
  if (problems.length > 0) throw new ConfigError(config.stage, problems);
}
