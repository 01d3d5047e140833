/**
 * Configuration. The only module that reads `process.env`: everything else receives
 * the validated `Env` through the composition root.
 */
import { MESSAGE_CONTENT_MAX } from '@backend/shared/schema';
import { z } from 'zod';

/** `local` is a laptop or a test run; the others are deployed stages on AWS. */
export const STAGES = ['local', 'dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

const url = (protocols: string[]) =>
  z.url({
    protocol: new RegExp(`^(${protocols.join('|')})$`),
    error: `Must be a ${protocols.join(' or ')} URL`,
  });

/** A comma-separated list, each item trimmed, empty items dropped. */
const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

/** A JSON document validated by `schema`. */
const jsonOf = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'Must be valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** `name` (served by the default OpenAI provider under that name) or `name=provider:model`. */
const MODEL_ENTRY = /^[\w.-]{1,64}(=[\w-]{1,32}:[\w./:-]{1,128})?$/;

/** Further OpenAI-compatible endpoints, by id: `{"groq":{"baseUrl":"…","apiKey":"…"}}`. */
const aiProvidersSchema = z.record(
  z.string().regex(/^[\w-]{1,32}$/),
  z.strictObject({ baseUrl: url(['http', 'https']), apiKey: z.string().min(1).optional() }),
);

/** USD per million tokens, by model name: `{"gpt-4o-mini":{"input":0.15,"output":0.6}}`. */
const aiPricesSchema = z.record(
  z.string().min(1),
  z.strictObject({ input: z.number().min(0), output: z.number().min(0) }),
);

/** Text, Markdown, HTML, CSV, JSON, PDF and DOCX. */
export const DEFAULT_FILE_TYPES = [
  'text/plain',
  'text/markdown',
  'text/html',
  'text/csv',
  'application/json',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
];

const envSchema = z
  .object({
    STAGE: z.enum(STAGES).default('local'),
    PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
    LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
    POWERTOOLS_SERVICE_NAME: z
      .string()
      .regex(/^[\w.-]{1,64}$/, { error: 'Letters, digits and _ . - only, at most 64' })
      .default('api'),
    POWERTOOLS_METRICS_NAMESPACE: z
      .string()
      .regex(/^[\w./#:-]{1,255}$/, {
        error: 'A CloudWatch namespace (letters, digits, . - _ / # :)',
      })
      .default('AiBackend'),
    POWERTOOLS_METRICS_DISABLED: z.stringbool().optional(),
    METRICS_STDOUT: z.stringbool().optional(),
    POWERTOOLS_TRACE_ENABLED: z.stringbool().default(false),
    PUBLIC_URL: url(['http', 'https']).optional(),
    DATABASE_URL: url(['postgres', 'postgresql']).optional(),
    DATABASE_READER_URL: url(['postgres', 'postgresql']).optional(),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).optional(),
    DATABASE_PREPARE: z.stringbool().optional(),
    DATABASE_HOST: z.string().min(1).optional(),
    DATABASE_READER_HOST: z.string().min(1).optional(),
    DATABASE_PORT: z.coerce.number().int().min(1).max(65_535).default(5432),
    DATABASE_NAME: z.string().min(1).default('postgres'),
    DATABASE_SECRET_ARN: z.string().startsWith('arn:').optional(),
    DATABASE_SSL: z.stringbool().optional(),
    PGLITE_DATA_DIR: z.string().min(1).default('.data/pglite'),
    MIGRATIONS_DIR: z.string().min(1).optional(),
    REDIS_URL: url(['redis', 'rediss']).optional(),
    REDIS_HOST: z.string().min(1).optional(),
    REDIS_PORT: z.coerce.number().int().min(1).max(65_535).default(6379),
    REDIS_TLS: z.stringbool().default(false),
    REDIS_AUTH_SECRET_ARN: z.string().startsWith('arn:').optional(),
    AUTH_SECRET_ARN: z.string().startsWith('arn:').optional(),
    ORIGIN_VERIFY_SECRET_ARN: z.string().startsWith('arn:').optional(),
    OPENAI_SECRET_ARN: z.string().startsWith('arn:').optional(),
    LANGSMITH_SECRET_ARN: z.string().startsWith('arn:').optional(),
    SECRETS_TTL_SECONDS: z.coerce.number().int().min(0).default(300),
    CACHE_PREFIX: z
      .string()
      .regex(/^[\w:.-]{1,64}$/, { error: 'Letters, digits and _ : . - only, at most 64' })
      .optional(),
    CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).default(10_000),
    BETTER_AUTH_SECRET: z
      .string()
      .min(32, { error: 'Must be at least 32 characters (use `openssl rand -hex 32`)' })
      .optional(),
    ALLOWED_ORIGINS: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      )
      .pipe(z.array(url(['http', 'https'])))
      .optional(),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
    RATE_LIMIT_DEFAULT: z.coerce.number().int().min(1).default(300),
    RATE_LIMIT_AUTH: z.coerce.number().int().min(1).default(20),
    RATE_LIMIT_AI: z.coerce.number().int().min(1).default(30),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).default(1_048_576),
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    READINESS_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
    AI_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
    /** Silence after which a stream sends a `: keep-alive` comment (CloudFront waits 60 s). */
    SSE_HEARTBEAT_MS: z.coerce.number().int().min(10).max(55_000).default(15_000),
    APP_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(60),
    AUTH_REQUIRE_EMAIL_VERIFICATION: z.stringbool().default(false),
    AUTH_LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(100).default(5),
    AUTH_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    AUTH_SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(7),
    AUTH_ALLOW_IMPERSONATION: z.stringbool().default(false),
    TRUSTED_IP_HEADER: z
      .string()
      .regex(/^[a-z0-9-]+$/, { error: 'A lower-case header name' })
      .optional(),
    EMAIL_PROVIDER: z.enum(['log', 'ses']).default('log'),
    EMAIL_FROM: z.email().default('no-reply@localhost.localdomain'),
    AWS_REGION: z.string().min(1).optional(),
    /** The SQS queue background jobs go to; unset, jobs run in this process. */
    JOBS_QUEUE_URL: url(['https']).optional(),
    /** The S3 bucket users' files are uploaded to (set by the stack on AWS). */
    UPLOADS_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'An S3 bucket name' })
      .optional(),
    OPENAI_API_KEY: z.string().min(1).optional(),
    OPENAI_BASE_URL: url(['http', 'https']).optional(),
    OPENAI_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
    OPENAI_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(1),
    AI_PROVIDERS: jsonOf(aiProvidersSchema).optional(),
    AI_MODELS: list(
      z.string().regex(MODEL_ENTRY, { error: 'name or name=provider:model' }),
    ).optional(),
    AI_DEFAULT_MODEL: z.string().min(1).optional(),
    AI_PRICES: jsonOf(aiPricesSchema).optional(),
    AI_DAILY_TOKEN_BUDGET: z.coerce.number().int().min(1).default(200_000),
    AI_MESSAGE_MAX_CHARS: z.coerce.number().int().min(1).max(MESSAGE_CONTENT_MAX).default(8_000),
    AI_HISTORY_TOKENS: z.coerce.number().int().min(1).default(4_000),
    AI_MAX_OUTPUT_TOKENS: z.coerce.number().int().min(1).default(1_024),
    AI_MAX_CONCURRENT_STREAMS: z.coerce.number().int().min(1).max(100).default(4),
    AI_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(300),
    AI_OUTPUT_BLOCKLIST: list(z.string().min(1)).optional(),
    AI_MODERATION: z.stringbool().default(false),
    AI_LOCAL_TOKEN_DELAY_MS: z.coerce.number().int().min(0).max(1_000).default(15),
    AI_AGENT_MAX_STEPS: z.coerce.number().int().min(1).max(50).default(8),
    AI_FETCH_ALLOWED_HOSTS: list(
      z
        .string()
        .toLowerCase()
        .regex(/^[a-z0-9.-]+(:\d{1,5})?$/, { error: 'A host name, optionally with :port' }),
    ).default([]),
    AI_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
    AI_GRAPH_TTL_DAYS: z.coerce.number().int().min(1).max(3_650).default(30),
    /** The uploads bucket; unset: files are kept under FILES_LOCAL_DIR (local stage only). */
    FILES_BUCKET: z.string().min(3).max(63).optional(),
    FILES_LOCAL_DIR: z.string().min(1).default('.data/uploads'),
    /** Media types a user may upload (their stored bytes must agree). */
    FILES_ALLOWED_TYPES: list(z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, { error: 'A media type' }))
      .pipe(z.array(z.string()).min(1))
      .default(DEFAULT_FILE_TYPES),
    FILES_MAX_BYTES: z.coerce.number().int().min(1).default(26_214_400),
    FILES_MAX_PER_USER: z.coerce.number().int().min(1).default(200),
    FILES_MAX_BYTES_PER_USER: z.coerce.number().int().min(1).default(524_288_000),
    /** How long an upload target and a download link stay valid. */
    FILES_UPLOAD_EXPIRES_SECONDS: z.coerce.number().int().min(10).max(3_600).default(300),
    FILES_DOWNLOAD_EXPIRES_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
    /** The local upload route's time limit (the bytes pass through the app there). */
    FILES_UPLOAD_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
    LANGGRAPH_POLL_MS: z.coerce.number().int().min(10).max(10_000).default(1_000),
    /** Most characters in one chunk of an ingested document. */
    FILES_CHUNK_SIZE: z.coerce.number().int().min(100).max(8_000).default(1_000),
    /** Characters a chunk repeats from the one before it (less than FILES_CHUNK_SIZE). */
    FILES_CHUNK_OVERLAP: z.coerce.number().int().min(0).max(4_000).default(150),
    /** The embedding model of the OpenAI-compatible endpoint (1536 dimensions). */
    FILES_EMBEDDING_MODEL: z.string().min(1).max(128).default('text-embedding-3-small'),
    /** Chunks embedded per request to the embedding endpoint. */
    FILES_EMBEDDING_BATCH_SIZE: z.coerce.number().int().min(1).max(2_048).default(64),
    /** `hnsw.ef_search` of document search: candidates the index keeps in its first pass. */
    FILES_HNSW_EF_SEARCH: z.coerce.number().int().min(10).max(1_000).default(200),
    /**
     * Rows document search asks of the HNSW index's iterative scan, of which it keeps the
     * nearest: the scan goes on past its first FILES_HNSW_EF_SEARCH candidates.
     */
    FILES_HNSW_SCAN_ROWS: z.coerce.number().int().min(10).max(20_000).default(200),
    LANGSMITH_API_KEY: z.string().min(1).optional(),
    LANGSMITH_PROJECT: z.string().min(1).optional(),
    LANGSMITH_ENDPOINT: url(['http', 'https']).optional(),
    AWS_LAMBDA_FUNCTION_NAME: z.string().optional(),
  })
  .transform((env) => {
    const onLambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
    const logLevel = env.LOG_LEVEL ?? (env.STAGE === 'local' ? 'debug' : 'info');
    return {
      ...env,
      LOG_LEVEL: logLevel,
      // `silent` means nothing on stdout: no log lines and no metric lines either. Off Lambda,
      // metric lines (EMF, for CloudWatch) only when asked for, so a dev server's output is
      // its logs; `METRICS_STDOUT=true` prints them (`just metrics view` sums them).
      POWERTOOLS_METRICS_DISABLED:
        env.POWERTOOLS_METRICS_DISABLED ??
        (logLevel === 'silent' || !(env.METRICS_STDOUT ?? onLambda)),
      PUBLIC_URL: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
      // One container serves one request at a time: a tiny pool, reused across invocations.
      DATABASE_POOL_MAX: env.DATABASE_POOL_MAX ?? (onLambda ? 2 : 10),
      // Prepared statements pin connections behind RDS Proxy.
      DATABASE_PREPARE: env.DATABASE_PREPARE ?? !onLambda,
      CACHE_PREFIX: env.CACHE_PREFIX ?? `app:${env.STAGE}:`,
      // Browser origins allowed to call with credentials: CORS, CSRF and Better Auth agree.
      ALLOWED_ORIGINS: [
        ...new Set([
          new URL(env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).origin,
          ...(env.ALLOWED_ORIGINS ?? []).map((origin) => new URL(origin).origin),
        ]),
      ],
      onLambda,
      // Traces go to one project per stage unless named.
      LANGSMITH_PROJECT: env.LANGSMITH_PROJECT ?? `hono-ai-backend-${env.STAGE}`,
    };
  });

export type Env = z.infer<typeof envSchema>;

/**
 * What a deployed stage must configure (it never falls back to the embedded defaults): each
 * entry is satisfied by any one of its alternatives, e.g. DATABASE_URL, or a host with the
 * ARN of the secret holding the credentials.
 */
export const REQUIRED_WHEN_DEPLOYED: ReadonlyArray<readonly (readonly string[])[]> = [
  [['DATABASE_URL'], ['DATABASE_HOST', 'DATABASE_SECRET_ARN']],
  [['REDIS_URL'], ['REDIS_HOST']],
  [['PUBLIC_URL']],
  [['BETTER_AUTH_SECRET'], ['AUTH_SECRET_ARN']],
];
export type EnvInput = Record<string, string | undefined>;

/** Configuration that failed validation; `issues` names each bad variable. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
  constructor(readonly issues: ReadonlyArray<{ variable: string; message: string }>) {
    super(
      `Invalid configuration:\n${issues.map((issue) => `  ${issue.variable}: ${issue.message}`).join('\n')}`,
    );
  }
}

/** Validates `source`; empty strings count as unset (as `FOO=` in a .env file means). */
export function parseEnv(source: EnvInput): Env {
  const present = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = envSchema.safeParse(present);
  const issues = result.success
    ? []
    : result.error.issues.map((issue) => ({
        variable: issue.path.join('.') || '(environment)',
        message: issue.message,
      }));
  const stage = present.STAGE;
  const deployed =
    stage !== undefined && stage !== 'local' && (STAGES as readonly string[]).includes(stage);
  if (deployed) {
    for (const alternatives of REQUIRED_WHEN_DEPLOYED) {
      if (alternatives.some((names) => names.every((name) => present[name]))) continue;
      const [first = [], ...others] = alternatives;
      const variable = first.join(' + ');
      if (issues.some((issue) => issue.variable === variable)) continue;
      const or = others.map((names) => names.join(' + ')).join(' or ');
      issues.push({
        variable,
        message: `Required when STAGE=${stage}${or ? ` (or ${or})` : ''}: embedded defaults are for local use only`,
      });
    }
  }
  if (result.success && result.data.FILES_CHUNK_OVERLAP >= result.data.FILES_CHUNK_SIZE) {
    issues.push({
      variable: 'FILES_CHUNK_OVERLAP',
      message: `Must be less than FILES_CHUNK_SIZE (${result.data.FILES_CHUNK_SIZE})`,
    });
  }
  if (deployed && present.EMAIL_PROVIDER !== 'ses') {
    // The log sender writes verification and reset links, tokens included, to the log.
    issues.push({
      variable: 'EMAIL_PROVIDER',
      message: `Must be ses when STAGE=${stage} (the log sender is for local use only)`,
    });
  }
  if (result.success && issues.length === 0) return result.data;
  throw new EnvError(issues);
}

/** Reads and validates the process environment. */
export function loadEnv(): Env {
  return parseEnv(process.env);
}
