/**
 * The contract of the app's dependencies, built once by `createDeps` (deps.ts) and read by
 * routes, middleware and lib alike. Only types live here, so every layer can import it
 * without a cycle.
 */
import type { Env } from '../env.ts';
import type { Auth } from './auth/auth.ts';
import type { Lockout } from './auth/lockout.ts';
import type { AppCache } from './cache/app-cache.ts';
import type { Cache } from './cache/types.ts';
import type { DatabaseClient } from './db/index.ts';
import type { EmailSender } from './email/index.ts';
import type { Logger } from './logger.ts';
import type { AppMetrics } from './observability/metrics.ts';
import type { Tracing } from './observability/tracing.ts';
import type { JobHandlers, JobQueue } from './queue/types.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { ObjectStorage } from './storage/types.ts';

export interface AppDeps {
  env: Env;
  logger: Logger;
  database: DatabaseClient;
  cache: Cache;
  email: EmailSender;
  auth: Auth;
  lockout: Lockout;
  /** Cache-aside for computed values (chat lists), in front of `cache`. */
  appCache: AppCache;
  rateLimiter: RateLimiter;
  /**
   * Work that outlives a request: `queue` accepts jobs (in-process locally), `handlers` runs
   * them (here, or on the worker function on AWS). See src/jobs.ts.
   */
  jobs: { queue: JobQueue; handlers: JobHandlers };
  /**
   * Reads the values accepted in `x-origin-verify` (current and, while rotating, previous),
   * when the origin is protected so; cached by the secrets provider.
   */
  originVerify: (() => Promise<string[]>) | null;
  /** Keys of the AI feature's services (env or Secrets Manager); null when not configured. */
  aiKeys: AiKeys;
  /** CloudWatch metrics (EMF lines), written once per invocation. */
  metrics: AppMetrics;
  /** X-Ray subsegments for database, Redis and model calls; a no-op unless switched on. */
  tracing: Tracing;
  /**
   * Where uploaded files are kept: S3, or a local directory on the local stage; null on a
   * deployed stage without a bucket (the file routes answer 503).
   */
  storage: ObjectStorage | null;
  /** Releases every connection the deps hold. */
  close(): Promise<void>;
}

export interface AiKeys {
  /** The OpenAI (compatible) API key: OPENAI_API_KEY or the secret OPENAI_SECRET_ARN names. */
  openai: string | null;
  /** The LangSmith API key: LANGSMITH_API_KEY or the secret LANGSMITH_SECRET_ARN names. */
  langsmith: string | null;
}
