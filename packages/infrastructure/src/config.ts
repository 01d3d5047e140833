/**
 * Per-stage configuration. Everything that differs between dev, staging and prod lives
 * here; stacks and constructs read only what they are handed.
 *
 * Over 400 lines on purpose: it is one table — each setting's type with its JSDoc, the base
 * values and each stage's overrides — and a reader comparing stages wants all of it in view.
 * Validation lives apart, in `deployment-context.ts`.
 */
import { RemovalPolicy } from 'aws-cdk-lib';

export const STAGE_NAMES = ['dev', 'staging', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** The primary region of a stage when neither `CDK_DEFAULT_REGION` nor context says otherwise. */
export const DEFAULT_REGION = 'eu-west-1';
/** CloudFront-scope WAF web ACLs and CloudFront certificates must live here. */
export const EDGE_REGION = 'us-east-1';
/**
 * The permissions boundary of the CloudFormation execution role and of every role the stacks
 * create (`bootstrap/permissions-boundary.json`, created once per account, docs/deploying.md).
 */
export const DEPLOY_BOUNDARY_NAME = 'hono-ai-backend-deploy-boundary';
/** The least-privilege CloudFormation execution policy (`bootstrap/execution-policy.json`). */
export const EXECUTION_POLICY_NAME = 'hono-ai-backend-cfn-execution';
/** The bootstrap qualifier of `cdk bootstrap` (the default one). */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';

/** The function outlives its longest request by at least this much (the app ends its work first). */
export const FUNCTION_TIMEOUT_MARGIN_MS = 10_000;
/**
 * The origin read timeout CloudFront accepts without a quota increase (CDK documents 120 s as
 * the default quota); a stage's AI timeout plus `ORIGIN_READ_MARGIN_SECONDS` must fit in it.
 */
export const MAX_ORIGIN_READ_TIMEOUT_SECONDS = 120;
/** CloudFront waits this much longer than the app's AI deadline, so the app's own 504 arrives. */
export const ORIGIN_READ_MARGIN_SECONDS = 5;

/** CloudFront's origin read timeout for a stage: the AI deadline plus a margin. */
export function originReadTimeoutSeconds(
  api: Pick<ApiFunctionConfig, 'aiRequestTimeoutMs'>,
): number {
  return Math.ceil(api.aiRequestTimeoutMs / 1000) + ORIGIN_READ_MARGIN_SECONDS;
}

/**
 * The job queue's visibility timeout is this many times the worker's timeout: AWS's guidance
 * for a queue feeding a Lambda function, so a message in a batch being retried is not
 * delivered again while an invocation may still hold it.
 */
export const JOBS_VISIBILITY_TIMEOUT_FACTOR = 6;
/** The longest visibility timeout SQS accepts (12 hours). */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

/** Log levels the app (`LOG_LEVEL`) and Lambda's log filtering both understand. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ApiFunctionConfig {
  /** Memory in MiB. */
  readonly memorySize: number;
  /** Timeout in seconds. */
  readonly timeoutSeconds: number;
  /** Reserved concurrency; `undefined` leaves the function in the account's unreserved pool. */
  readonly reservedConcurrency?: number;
  /** Provisioned concurrency on the `live` alias; 0 for none. */
  readonly provisionedConcurrency: number;
  /** `LOG_LEVEL` of the app and Powertools, and the level Lambda lets through. */
  readonly logLevel: LogLevel;
  /**
   * `POWERTOOLS_TRACE_ENABLED`: the app's own X-Ray subsegments (database queries, Redis
   * commands, model calls) inside the function's active-tracing segment. Loads the X-Ray SDK
   * at cold start when on.
   */
  readonly traceSubsegments: boolean;
  /**
   * `AI_REQUEST_TIMEOUT_MS`: how long an AI request may run. The function's timeout is at
   * least this plus `FUNCTION_TIMEOUT_MARGIN_MS`, and CloudFront's origin read timeout is above it.
   */
  readonly aiRequestTimeoutMs: number;
  /**
   * How CodeDeploy shifts the `live` alias to a new version: `canary` sends 10% of traffic
   * for 5 minutes, then all of it, rolling back on an alarm; `allAtOnce` shifts at once.
   */
  readonly release: 'canary' | 'allAtOnce';
  /** `OPENAI_TIMEOUT_MS`: one provider call; never longer than `aiRequestTimeoutMs`. */
  readonly openAiTimeoutMs: number;
  /**
   * `BODY_LIMIT_BYTES`: the largest request body the app accepts. The WAF blocks a declared
   * `Content-Length` above it, and the edge signer refuses bodies over 1 MB (Lambda@Edge).
   */
  readonly bodyLimitBytes: number;
}

/** The worker function and the job queue that feeds it (DESIGN decision 11). */
export interface JobsConfig {
  /** The worker's memory in MiB. */
  readonly workerMemorySize: number;
  /**
   * The worker's timeout in seconds (Lambda allows 900): long graphs run here. The queue's
   * visibility timeout is `JOBS_VISIBILITY_TIMEOUT_FACTOR` times this (AWS's guidance for a
   * queue feeding a function).
   */
  readonly workerTimeoutSeconds: number;
  /** Records per invocation (1-10); they run at once, so keep it small. */
  readonly batchSize: number;
  /** Concurrent worker invocations the event source mapping may start (2-1000). */
  readonly maxConcurrency: number;
  /** Deliveries of a message before it moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** The oldest queued message's age, in seconds, that raises an alarm. */
  readonly oldestMessageAgeAlarmSeconds: number;
}

/** The uploads bucket users upload to directly (presigned POST) and download from. */
export interface UploadsConfig {
  /**
   * Browser origins besides `publicUrl` that may upload and download (the bucket's CORS rules,
   * and the API's `ALLOWED_ORIGINS`).
   */
  readonly extraAllowedOrigins: readonly string[];
  /** Days before an object still tagged as a pending upload (never completed) expires. */
  readonly pendingUploadExpiryDays: number;
  /**
   * GuardDuty Malware Protection for S3 on the uploads prefix: each new object is scanned and
   * tagged with the result (charged per GB scanned and per object).
   */
  readonly malwareProtection: boolean;
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
  /** RDS Proxy client connections (near the pool the function's concurrency can open). */
  readonly proxyClientConnections: number;
  /** SES bounce rate (0-1); AWS reviews an account at 5%. */
  readonly sesBounceRate: number;
  /** SES complaint rate (0-1); AWS reviews an account at 0.1%. */
  readonly sesComplaintRate: number;
  /** CloudFront 5xx responses as a percentage of requests (us-east-1 metric). */
  readonly edge5xxRatePercent: number;
  /** CloudFront origin latency p99 in milliseconds (an additional CloudFront metric). */
  readonly originLatencyP99Ms: number;
  /** WAF blocked requests in 5 minutes: a spike is an attack or a rule blocking real users. */
  readonly wafBlockedRequests: number;
  /**
   * Monthly AWS cost in USD that notifies at 80% actual and 100% forecast; `undefined` for no
   * budget.
   */
  readonly monthlyBudgetUsd?: number;
}

export interface FeatureFlags {
  /** Run the seed-data custom resource on deploy (never in prod). */
  readonly seedData: boolean;
  /** Run the cache-warming custom resource on deploy. */
  readonly cacheWarming: boolean;
  /** Create the GitHub OIDC provider (one per account; turn off when stages share an account). */
  readonly createGithubOidcProvider: boolean;
  /**
   * Create the OpenAI API key secret and hand its ARN to the function (`OPENAI_SECRET_ARN`).
   * Off: the app uses its deterministic local model.
   */
  readonly openAiSecret: boolean;
  /** Create the LangSmith API key secret and hand its ARN to the function (`LANGSMITH_SECRET_ARN`). */
  readonly langsmithSecret: boolean;
}

export interface DomainConfig {
  /** The host users call, e.g. `api.example.com`; `publicUrl` is `https://<name>`. */
  readonly name: string;
  /** The Route 53 hosted zone that holds `name` (used for the alias and DNS validation). */
  readonly hostedZoneId: string;
  readonly hostedZoneName: string;
}

/**
 * What is committed per stage: sizes, concurrency, alarms, removal policies, feature flags.
 * What belongs to one deployment (account, domain, hosted zone, repository, alarm email) is
 * never committed: it comes from CDK context (see `DEPLOYMENT_CONTEXT`).
 */
export interface StageDefaults {
  readonly stage: StageName;
  /** The project name used in resource names and the `Project` tag. */
  readonly project: string;
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
  readonly jobs: JobsConfig;
  readonly uploads: UploadsConfig;
  readonly database: DatabaseConfig;
  readonly cache: CacheConfig;
  readonly alarms: AlarmThresholds;
  readonly logRetentionDays: number;
  /** RETAIN for prod data, SNAPSHOT for staging, DESTROY for dev. */
  readonly dataRemovalPolicy: RemovalPolicy;
  readonly features: FeatureFlags;
  /**
   * What the deploy role trusts after `repo:<owner>/<repo>:` in the GitHub OIDC `sub`
   * claim: a protected branch (`ref:refs/heads/main`) or environment (`environment:production`).
   */
  readonly githubTrust: string;
  readonly bootstrapQualifier: string;
  /** Requests per 5 minutes per IP before the WAF rate rule blocks. */
  readonly wafRateLimit: number;
}

export interface StageConfig extends Omit<StageDefaults, 'githubTrust'> {
  /** Account; `undefined` synthesizes account-agnostic stacks (offline synth). */
  readonly account?: string;
  readonly region: string;
  /** The public https URL users call (the CloudFront alias). */
  readonly publicUrl: string;
  readonly domain: DomainConfig;
  readonly github: {
    readonly owner: string;
    readonly repo: string;
    /** The `sub` claim the deploy role trusts, for this repository only. */
    readonly subject: string;
  };
  /** Email subscribed to the alarm topic, if any. */
  readonly alarmEmail?: string;
}

const PROJECT = 'hono-ai-backend';

/** What every stage shares unless its overrides say otherwise. */
const BASE: Omit<StageDefaults, 'stage'> = {
  project: PROJECT,
  tags: { costCenter: 'engineering', owner: 'platform' },
  network: { maxAzs: 2, natGateways: 1, flowLogRetentionDays: 30 },
  api: {
    memorySize: 1536,
    // Above AI_REQUEST_TIMEOUT_MS + 10 s (validateConfig): the app ends its own work first.
    timeoutSeconds: 130,
    provisionedConcurrency: 0,
    logLevel: 'info',
    traceSubsegments: true,
    aiRequestTimeoutMs: 110_000,
    openAiTimeoutMs: 60_000,
    bodyLimitBytes: 1_048_576,
    release: 'canary',
  },
  jobs: {
    workerMemorySize: 1536,
    workerTimeoutSeconds: 900,
    batchSize: 2,
    maxConcurrency: 10,
    maxReceiveCount: 3,
    oldestMessageAgeAlarmSeconds: 300,
  },
  uploads: { extraAllowedOrigins: [], pendingUploadExpiryDays: 1, malwareProtection: false },
  database: {
    name: 'app',
    minCapacityAcu: 0.5,
    maxCapacityAcu: 4,
    reader: true,
    backupRetentionDays: 7,
    deletionProtection: false,
  },
  cache: { nodeType: 'cache.t4g.small', nodes: 2, multiAz: true },
  alarms: {
    serverErrorRatePercent: 5,
    p99LatencyMs: 5000,
    throttles: 1,
    errors: 5,
    databaseCpuPercent: 80,
    cacheMemoryPercent: 80,
    proxyClientConnections: 100,
    sesBounceRate: 0.04,
    sesComplaintRate: 0.0008,
    edge5xxRatePercent: 5,
    originLatencyP99Ms: 5000,
    wafBlockedRequests: 500,
  },
  logRetentionDays: 30,
  dataRemovalPolicy: RemovalPolicy.SNAPSHOT,
  features: {
    seedData: true,
    cacheWarming: true,
    createGithubOidcProvider: true,
    openAiSecret: true,
    langsmithSecret: true,
  },
  githubTrust: 'environment:staging',
  bootstrapQualifier: DEFAULT_BOOTSTRAP_QUALIFIER,
  wafRateLimit: 2000,
};

/** Each stage's departures from `BASE`, one level deep (a nested object is merged, not replaced). */
type StageOverrides = {
  readonly [K in keyof Omit<StageDefaults, 'stage'>]?: StageDefaults[K] extends RemovalPolicy
    ? StageDefaults[K]
    : StageDefaults[K] extends object
      ? Partial<StageDefaults[K]>
      : StageDefaults[K];
};

const OVERRIDES: Readonly<Record<StageName, StageOverrides>> = {
  dev: {
    network: { flowLogRetentionDays: 14 },
    api: {
      memorySize: 1024,
      timeoutSeconds: 75,
      logLevel: 'debug',
      aiRequestTimeoutMs: 60_000,
      openAiTimeoutMs: 45_000,
      release: 'allAtOnce',
    },
    jobs: { workerMemorySize: 1024, workerTimeoutSeconds: 300, maxConcurrency: 2 },
    database: { maxCapacityAcu: 2, reader: false, backupRetentionDays: 1 },
    cache: { nodeType: 'cache.t4g.micro', nodes: 1, multiAz: false },
    logRetentionDays: 14,
    dataRemovalPolicy: RemovalPolicy.DESTROY,
    features: { openAiSecret: false, langsmithSecret: false },
    githubTrust: 'ref:refs/heads/main',
  },
  staging: {
    api: { reservedConcurrency: 50, provisionedConcurrency: 1 },
    // 2 connections per container (the pool) × 50 reserved, at 80%.
    alarms: { proxyClientConnections: 80 },
  },
  prod: {
    tags: { costCenter: 'product' },
    network: { maxAzs: 3, natGateways: 3, flowLogRetentionDays: 90 },
    api: { memorySize: 1769, reservedConcurrency: 200, provisionedConcurrency: 2 },
    jobs: { workerMemorySize: 1769, maxConcurrency: 50 },
    database: {
      minCapacityAcu: 1,
      maxCapacityAcu: 16,
      backupRetentionDays: 30,
      deletionProtection: true,
    },
    cache: { nodeType: 'cache.r7g.large' },
    alarms: {
      serverErrorRatePercent: 1,
      p99LatencyMs: 3000,
      edge5xxRatePercent: 1,
      originLatencyP99Ms: 3000,
      // 2 connections per container (the pool) × 200 reserved, at 80%.
      proxyClientConnections: 320,
      wafBlockedRequests: 1000,
      monthlyBudgetUsd: 1500,
    },
    logRetentionDays: 365,
    dataRemovalPolicy: RemovalPolicy.RETAIN,
    features: {
      seedData: false,
      // Production traces would carry users' prompts to a third party: opt in deliberately.
      langsmithSecret: false,
    },
    githubTrust: 'environment:production',
    wafRateLimit: 1000,
  },
};

/** `BASE` with one stage's overrides applied (nested objects merged one level deep). */
export function stageDefaults(stage: StageName): StageDefaults {
  const merged: Record<string, unknown> = { ...BASE };
  for (const [key, value] of Object.entries(OVERRIDES[stage])) {
    const base = (BASE as unknown as Record<string, unknown>)[key];
    merged[key] =
      typeof value === 'object' && value !== null && typeof base === 'object' && base !== null
        ? { ...base, ...value }
        : value;
  }
  return { ...(merged as Omit<StageDefaults, 'stage'>), stage };
}

export const STAGE_CONFIGS: Readonly<Record<StageName, StageDefaults>> = {
  dev: stageDefaults('dev'),
  staging: stageDefaults('staging'),
  prod: stageDefaults('prod'),
};
