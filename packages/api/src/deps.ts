/**
 * Dependencies of the app, built once from validated configuration. A Lambda container
 * builds them at init and reuses them across invocations.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Env } from './env.ts';
import { registerJobs } from './jobs.ts';
import type { AppDeps } from './lib/app-deps.ts';
import { createLazyAuth } from './lib/auth/lazy-auth.ts';
import { createLockout } from './lib/auth/lockout.ts';
import { createAppCache } from './lib/cache/app-cache.ts';
import { type Cache, createCache } from './lib/cache/index.ts';
import { loadCache } from './lib/cache/lazy.ts';
import { createDatabase, type DatabaseClient } from './lib/db/index.ts';
import { createEmailSender, type EmailSender } from './lib/email/index.ts';
import { createLogger, type Logger, type RootLogger } from './lib/logger.ts';
import { type AppMetrics, createMetrics } from './lib/observability/metrics.ts';
import { createTracing, type Tracing } from './lib/observability/tracing.ts';
import { createMemoryQueue } from './lib/queue/memory.ts';
import { JobHandlers } from './lib/queue/types.ts';
import { createRateLimiter } from './lib/rate-limit.ts';
import { routeClassSettings } from './lib/route-classes.ts';
import { createSecretsProvider, type SecretsProvider, secretName } from './lib/secrets.ts';
import { createStorage, type ObjectStorage } from './lib/storage/index.ts';
import { parseOriginVerifySecret } from './middleware/origin-verify.ts';

export type { AiKeys, AppDeps } from './lib/app-deps.ts';

/**
 * A key from configuration, else from the secret `arn` names (a plain string, or JSON with
 * an `apiKey` field), else null.
 */
async function resolveKey(
  value: string | undefined,
  arn: string | undefined,
  secrets: SecretsProvider,
): Promise<string | null> {
  if (value) return value;
  if (!arn) return null;
  const secret = (await secrets.get(arn)).trim();
  if (!secret.startsWith('{')) return secret;
  const { apiKey } = JSON.parse(secret) as { apiKey?: unknown };
  if (typeof apiKey !== 'string' || !apiKey)
    throw new Error(`Secret ${secretName(arn)} has no apiKey field`);
  return apiKey;
}

function redisClientOf(cache: Cache) {
  if (!cache.client) throw new Error('The Redis cache has no client');
  return cache.client;
}

export interface DepsOverrides {
  logger?: Logger;
  secrets?: SecretsProvider;
  database?: DatabaseClient;
  cache?: Cache;
  email?: EmailSender;
  metrics?: AppMetrics;
  tracing?: Tracing;
  /** The files' storage (tests: S3 through a mocked client, or none). */
  storage?: ObjectStorage | null;
}

/** The root logger configuration asks for (the Lambda entry also hands it each context). */
export const createRootLogger = (env: Env): RootLogger =>
  createLogger({
    level: env.LOG_LEVEL,
    serviceName: env.POWERTOOLS_SERVICE_NAME,
    bindings: { stage: env.STAGE },
  });

/**
 * The Better Auth secret: from configuration, or (locally only) a random one kept beside
 * the embedded database so sessions survive a restart. Deployed stages require it.
 */
export async function resolveAuthSecret(env: Env, secrets?: SecretsProvider): Promise<string> {
  if (env.BETTER_AUTH_SECRET) return env.BETTER_AUTH_SECRET;
  if (env.AUTH_SECRET_ARN && secrets) return secrets.get(env.AUTH_SECRET_ARN);
  if (env.STAGE !== 'local')
    throw new Error(`BETTER_AUTH_SECRET is required when STAGE=${env.STAGE}`);
  if (env.PGLITE_DATA_DIR.startsWith('memory://')) return randomBytes(32).toString('hex');
  const file = join(dirname(env.PGLITE_DATA_DIR), 'auth-secret');
  const existing = await readFile(file, 'utf8').catch(() => '');
  if (existing.trim().length >= 32) return existing.trim();
  const secret = randomBytes(32).toString('hex');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * The `x-origin-verify` values, read through the secrets provider (cached for its TTL, so a
 * rotated value reaches warm containers); read once here so a missing secret fails the init.
 */
async function resolveOriginVerify(
  arn: string | undefined,
  secrets: SecretsProvider,
): Promise<(() => Promise<string[]>) | null> {
  if (!arn) return null;
  const read = async () => parseOriginVerifySecret(await secrets.get(arn));
  if ((await read()).length === 0) throw new Error('The origin-verify secret holds no value');
  return read;
}

export async function createDeps(env: Env, overrides: DepsOverrides = {}): Promise<AppDeps> {
  const logger = overrides.logger ?? createRootLogger(env);
  const metrics =
    overrides.metrics ??
    createMetrics({
      enabled: !env.POWERTOOLS_METRICS_DISABLED,
      namespace: env.POWERTOOLS_METRICS_NAMESPACE,
      serviceName: env.POWERTOOLS_SERVICE_NAME,
      stage: env.STAGE,
      logger,
    });
  const tracing =
    overrides.tracing ??
    (await createTracing({
      enabled: env.POWERTOOLS_TRACE_ENABLED,
      serviceName: env.POWERTOOLS_SERVICE_NAME,
      logger,
    }));
  // Secrets are fetched here, at cold start: a missing one fails the init, naming it.
  const secrets =
    overrides.secrets ?? createSecretsProvider({ ttlSeconds: env.SECRETS_TTL_SECONDS, logger });
  const [database, cache, email, secret, originVerify, openaiKey, langsmithKey] = await Promise.all(
    [
      overrides.database ?? createDatabase(env, logger, secrets, tracing),
      overrides.cache ?? createCache(env, logger, secrets, tracing),
      overrides.email ?? createEmailSender(env, logger),
      resolveAuthSecret(env, secrets),
      resolveOriginVerify(env.ORIGIN_VERIFY_SECRET_ARN, secrets),
      resolveKey(env.OPENAI_API_KEY, env.OPENAI_SECRET_ARN, secrets),
      resolveKey(env.LANGSMITH_API_KEY, env.LANGSMITH_SECRET_ARN, secrets),
    ],
  );
  const lockout = createLockout({
    cache,
    threshold: env.AUTH_LOCKOUT_THRESHOLD,
    seconds: env.AUTH_LOCKOUT_SECONDS,
    logger,
  });
  // Better Auth is imported and built on first use (a lazy chunk in the Lambda bundle).
  const auth = createLazyAuth(async () => {
    const { createAuth } = await import('./lib/auth/auth.ts');
    return createAuth({ env, db: database.db, secret, email, logger, lockout });
  });
  const appCache = createAppCache({ cache, logger, metrics });
  const routeClasses = routeClassSettings(env);
  const rateLimiter = createRateLimiter({
    points: {
      default: routeClasses.default.rateLimitPoints,
      auth: routeClasses.auth.rateLimitPoints,
      ai: routeClasses.ai.rateLimitPoints,
    },
    windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
    redis: cache.client,
    // A cache loaded on first use has no client yet: the first request builds the Redis limiters.
    connect: cache.kind === 'redis' ? () => loadCache(cache).then(redisClientOf) : undefined,
    guard: cache.guard,
    logger,
  });
  const handlers = new JobHandlers();
  // The SQS adapter is loaded only where a queue is configured (it is no part of a laptop's run).
  const queue = env.JOBS_QUEUE_URL
    ? (await import('./lib/queue/sqs.ts')).createSqsQueue({
        queueUrl: env.JOBS_QUEUE_URL,
        region: env.AWS_REGION,
      })
    : createMemoryQueue({
        handlers,
        onDeadLetter: (job, error) =>
          logger.error('job failed for good', {
            jobId: job.id,
            jobType: job.type,
            reason: error instanceof Error ? error.message : String(error),
          }),
      });
  const deps: AppDeps = {
    env,
    logger,
    database,
    cache,
    email,
    auth,
    lockout,
    appCache,
    rateLimiter,
    originVerify,
    aiKeys: { openai: openaiKey, langsmith: langsmithKey },
    metrics,
    tracing,
    jobs: { queue, handlers },
    storage: overrides.storage !== undefined ? overrides.storage : createStorage(env, secret),
    async close() {
      // Running jobs end first: they may still write to the database or the cache.
      await queue.close();
      await Promise.allSettled([database.close(), cache.close()]);
    },
  };
  registerJobs(handlers, deps);
  return deps;
}
