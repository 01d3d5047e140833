/**
 * Per-stage configuration. Everything that differs between dev, staging and prod lives
 * here; stacks and constructs read only what they are handed.
 */
import { RemovalPolicy } from 'aws-cdk-lib';

export const STAGE_NAMES = ['dev', 'staging', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** The primary region of a stage when neither `CDK_DEFAULT_REGION` nor context says otherwise. */
export const DEFAULT_REGION = 'eu-west-1';
/** CloudFront-scope WAF web ACLs and CloudFront certificates must live here. */
export const EDGE_REGION = 'us-east-1';
/** The bootstrap qualifier of `cdk bootstrap` (the default one). */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';

export interface ApiFunctionConfig {
  /** Memory in MiB. */
  readonly memorySize: number;
  /** Timeout in seconds. */
  readonly timeoutSeconds: number;
  /** Reserved concurrency; `undefined` leaves the function in the account's unreserved pool. */
  readonly reservedConcurrency?: number;
  /** Provisioned concurrency on the `live` alias; 0 for none. */
  readonly provisionedConcurrency: number;
}

export interface DatabaseConfig {
  readonly name: string;
  readonly minCapacityAcu: number;
  readonly maxCapacityAcu: number;
  /** Whether a reader instance is added beside the writer. */
  readonly reader: boolean;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
}

export interface CacheConfig {
  readonly nodeType: string;
  /** Nodes in the replication group (1 primary + replicas). */
  readonly nodes: number;
  readonly multiAz: boolean;
}

export interface AlarmThresholds {
  /** 5xx responses as a percentage of requests over 5 minutes. */
  readonly serverErrorRatePercent: number;
  /** p99 Function URL latency in milliseconds. */
  readonly p99LatencyMs: number;
  /** Throttled invocations in 5 minutes. */
  readonly throttles: number;
  /** Function errors in 5 minutes. */
  readonly errors: number;
  /** Aurora writer CPU percentage. */
  readonly databaseCpuPercent: number;
  /** ElastiCache memory use percentage. */
  readonly cacheMemoryPercent: number;
}

export interface FeatureFlags {
  /** Run the seed-data custom resource on deploy (never in prod). */
  readonly seedData: boolean;
  /** Run the cache-warming custom resource on deploy. */
  readonly cacheWarming: boolean;
  /** Create the GitHub OIDC provider (one per account; turn off when stages share an account). */
  readonly createGithubOidcProvider: boolean;
}

export interface DomainConfig {
  /** The host users call, e.g. `api.example.com`; `publicUrl` is `https://<name>`. */
  readonly name: string;
  /** The Route 53 hosted zone that holds `name` (used for the alias and DNS validation). */
  readonly hostedZoneId: string;
  readonly hostedZoneName: string;
}

export interface StageConfig {
  readonly stage: StageName;
  /** The project name used in resource names and the `Project` tag. */
  readonly project: string;
  /** Account; `undefined` synthesizes an environment-agnostic app region-wise pinned below. */
  readonly account?: string;
  readonly region: string;
  /** The public https URL users call (the CloudFront alias). */
  readonly publicUrl: string;
  readonly domain: DomainConfig;
  readonly tags: {
    readonly costCenter: string;
    readonly owner: string;
  };
  readonly network: {
    readonly maxAzs: number;
    /** 1 in dev; one per AZ in prod. */
    readonly natGateways: number;
    readonly flowLogRetentionDays: number;
  };
  readonly api: ApiFunctionConfig;
  readonly database: DatabaseConfig;
  readonly cache: CacheConfig;
  readonly alarms: AlarmThresholds;
  readonly logRetentionDays: number;
  /** RETAIN for prod data, SNAPSHOT for staging, DESTROY for dev. */
  readonly dataRemovalPolicy: RemovalPolicy;
  readonly features: FeatureFlags;
  readonly github: {
    readonly owner: string;
    readonly repo: string;
    /** The `sub` claim the deploy role trusts, for this repository only. */
    readonly subject: string;
  };
  readonly bootstrapQualifier: string;
  /** Requests per 5 minutes per IP before the WAF rate rule blocks. */
  readonly wafRateLimit: number;
  /** Email subscribed to the alarm topic, if any. */
  readonly alarmEmail?: string;
}

const GITHUB_OWNER = 'example-org';
const GITHUB_REPO = 'hono-ai-backend';
const PROJECT = 'hono-ai-backend';

const BASE_ALARMS: AlarmThresholds = {
  serverErrorRatePercent: 5,
  p99LatencyMs: 5000,
  throttles: 1,
  errors: 5,
  databaseCpuPercent: 80,
  cacheMemoryPercent: 80,
};

const HOSTED_ZONE = { hostedZoneId: 'Z0000000EXAMPLE00000', hostedZoneName: 'example.com' };

export const STAGE_CONFIGS: Readonly<Record<StageName, Omit<StageConfig, 'account' | 'region'>>> = {
  dev: {
    stage: 'dev',
    project: PROJECT,
    publicUrl: 'https://api.dev.example.com',
    domain: { name: 'api.dev.example.com', ...HOSTED_ZONE },
    tags: { costCenter: 'engineering', owner: 'platform' },
    network: { maxAzs: 2, natGateways: 1, flowLogRetentionDays: 14 },
    api: { memorySize: 1024, timeoutSeconds: 30, provisionedConcurrency: 0 },
    database: {
      name: 'app',
      minCapacityAcu: 0.5,
      maxCapacityAcu: 2,
      reader: false,
      backupRetentionDays: 1,
      deletionProtection: false,
    },
    cache: { nodeType: 'cache.t4g.micro', nodes: 1, multiAz: false },
    alarms: BASE_ALARMS,
    logRetentionDays: 14,
    dataRemovalPolicy: RemovalPolicy.DESTROY,
    features: { seedData: true, cacheWarming: true, createGithubOidcProvider: true },
    github: {
      owner: GITHUB_OWNER,
      repo: GITHUB_REPO,
      subject: `repo:${GITHUB_OWNER}/${GITHUB_REPO}:ref:refs/heads/main`,
    },
    bootstrapQualifier: DEFAULT_BOOTSTRAP_QUALIFIER,
    wafRateLimit: 2000,
  },
  staging: {
    stage: 'staging',
    project: PROJECT,
    publicUrl: 'https://api.staging.example.com',
    domain: { name: 'api.staging.example.com', ...HOSTED_ZONE },
    tags: { costCenter: 'engineering', owner: 'platform' },
    network: { maxAzs: 2, natGateways: 1, flowLogRetentionDays: 30 },
    api: {
      memorySize: 1536,
      timeoutSeconds: 30,
      reservedConcurrency: 50,
      provisionedConcurrency: 1,
    },
    database: {
      name: 'app',
      minCapacityAcu: 0.5,
      maxCapacityAcu: 4,
      reader: true,
      backupRetentionDays: 7,
      deletionProtection: false,
    },
    cache: { nodeType: 'cache.t4g.small', nodes: 2, multiAz: true },
    alarms: BASE_ALARMS,
    logRetentionDays: 30,
    dataRemovalPolicy: RemovalPolicy.SNAPSHOT,
    features: { seedData: true, cacheWarming: true, createGithubOidcProvider: true },
    github: {
      owner: GITHUB_OWNER,
      repo: GITHUB_REPO,
      subject: `repo:${GITHUB_OWNER}/${GITHUB_REPO}:environment:staging`,
    },
    bootstrapQualifier: DEFAULT_BOOTSTRAP_QUALIFIER,
    wafRateLimit: 2000,
  },
  prod: {
    stage: 'prod',
    project: PROJECT,
    publicUrl: 'https://api.example.com',
    domain: { name: 'api.example.com', ...HOSTED_ZONE },
    tags: { costCenter: 'product', owner: 'platform' },
    network: { maxAzs: 3, natGateways: 3, flowLogRetentionDays: 90 },
    api: {
      memorySize: 1769,
      timeoutSeconds: 60,
      reservedConcurrency: 200,
      provisionedConcurrency: 2,
    },
    database: {
      name: 'app',
      minCapacityAcu: 1,
      maxCapacityAcu: 16,
      reader: true,
      backupRetentionDays: 30,
      deletionProtection: true,
    },
    cache: { nodeType: 'cache.r7g.large', nodes: 2, multiAz: true },
    alarms: { ...BASE_ALARMS, serverErrorRatePercent: 1, p99LatencyMs: 3000 },
    logRetentionDays: 365,
    dataRemovalPolicy: RemovalPolicy.RETAIN,
    features: { seedData: false, cacheWarming: true, createGithubOidcProvider: true },
    github: {
      owner: GITHUB_OWNER,
      repo: GITHUB_REPO,
      subject: `repo:${GITHUB_OWNER}/${GITHUB_REPO}:environment:production`,
    },
    bootstrapQualifier: DEFAULT_BOOTSTRAP_QUALIFIER,
    wafRateLimit: 1000,
  },
};

/** CDK context keys that override the committed configuration at synth time. */
export const CONTEXT_KEYS = {
  account: 'account',
  region: 'region',
  publicUrl: 'publicUrl',
  domainName: 'domainName',
  hostedZoneId: 'hostedZoneId',
  hostedZoneName: 'hostedZoneName',
  githubOwner: 'githubOwner',
  githubRepo: 'githubRepo',
  alarmEmail: 'alarmEmail',
} as const;

export interface ResolveConfigInputs {
  /** `CDK_DEFAULT_ACCOUNT` / `CDK_DEFAULT_REGION`, normally `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads one CDK context value (`app.node.tryGetContext`). */
  readonly context?: (key: string) => unknown;
}

function contextString(read: ResolveConfigInputs['context'], key: string): string | undefined {
  const value = read?.(key);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * The configuration of one stage, with CDK context overrides (`-c key=value`) applied,
 * then the environment's account and region. Synth needs no AWS credentials: without
 * an account the stacks are account-agnostic.
 */
export function resolveConfig(stage: StageName, inputs: ResolveConfigInputs = {}): StageConfig {
  const base = STAGE_CONFIGS[stage];
  const ctx = inputs.context;
  const env = inputs.env ?? {};
  const owner = contextString(ctx, CONTEXT_KEYS.githubOwner) ?? base.github.owner;
  const repo = contextString(ctx, CONTEXT_KEYS.githubRepo) ?? base.github.repo;
  const domainName = contextString(ctx, CONTEXT_KEYS.domainName) ?? base.domain.name;
  const subject = base.github.subject.replace(
    `repo:${base.github.owner}/${base.github.repo}:`,
    `repo:${owner}/${repo}:`,
  );
  const alarmEmail = contextString(ctx, CONTEXT_KEYS.alarmEmail) ?? base.alarmEmail;
  const account = contextString(ctx, CONTEXT_KEYS.account) ?? env.CDK_DEFAULT_ACCOUNT;
  const config: StageConfig = {
    ...base,
    ...(account ? { account } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
    region: contextString(ctx, CONTEXT_KEYS.region) ?? env.CDK_DEFAULT_REGION ?? DEFAULT_REGION,
    publicUrl: contextString(ctx, CONTEXT_KEYS.publicUrl) ?? `https://${domainName}`,
    domain: {
      name: domainName,
      hostedZoneId: contextString(ctx, CONTEXT_KEYS.hostedZoneId) ?? base.domain.hostedZoneId,
      hostedZoneName: contextString(ctx, CONTEXT_KEYS.hostedZoneName) ?? base.domain.hostedZoneName,
    },
    github: { owner, repo, subject },
  };
  validateConfig(config);
  return config;
}

/** Rejects configurations that would deploy something unsafe or inconsistent. */
export function validateConfig(config: StageConfig): void {
  const problems: string[] = [];
  if (!config.publicUrl.startsWith('https://')) problems.push('publicUrl must be https');
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
  if (problems.length > 0) {
    throw new Error(`Invalid ${config.stage} configuration: ${problems.join('; ')}`);
  }
}
