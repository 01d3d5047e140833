import type { AppDeps } from '../../deps.ts';
import { ERROR_CODES, errorResponse } from '../../lib/errors.ts';
import type { AppRouteHandler } from '../../lib/types.ts';
import type { LivenessRoute, ReadinessRoute } from './health.routes.ts';

type CheckStatus = 'ok' | 'unavailable';
interface Checks {
  database: CheckStatus;
  cache: CheckStatus;
}

/** How long one readiness check may take before it counts as failed. */
export const READINESS_TIMEOUT_MS = 2_000;

async function check(probe: () => Promise<void>): Promise<CheckStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), READINESS_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch {
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

export const liveness: AppRouteHandler<LivenessRoute> = (c) => c.json({ status: 'ok' }, 200);

interface Readiness {
  checks: Promise<Checks>;
  /** When the checks settled; undefined while they run. */
  settledAt?: number;
}

/** The last readiness check of each app's dependencies. */
const lastReadiness = new WeakMap<AppDeps, Readiness>();

/**
 * The database and cache checks, run at most once per `READINESS_CACHE_MS`: callers that come
 * while a check runs share it, and callers within that time of its end get its result. A
 * flood of readiness probes costs the dependencies one ping each per interval.
 */
function readinessOf(deps: AppDeps): Promise<Checks> {
  const last = lastReadiness.get(deps);
  const now = performance.now();
  if (
    last &&
    (last.settledAt === undefined || now - last.settledAt < deps.env.READINESS_CACHE_MS)
  ) {
    return last.checks;
  }
  const { database, cache } = deps;
  const readiness: Readiness = {
    checks: Promise.all([check(() => database.ping()), check(() => cache.ping())]).then(
      ([databaseStatus, cacheStatus]) => {
        readiness.settledAt = performance.now();
        return { database: databaseStatus, cache: cacheStatus };
      },
    ),
  };
  lastReadiness.set(deps, readiness);
  return readiness.checks;
}

export const readiness: AppRouteHandler<ReadinessRoute> = async (c) => {
  const checks = await readinessOf(c.var.deps);
  const failed = Object.entries(checks)
    .filter(([, status]) => status !== 'ok')
    .map(([name]) => name);
  if (failed.length > 0) {
    c.var.logger.warn('not ready', { checks });
    c.header('Retry-After', '5');
    return errorResponse(
      c,
      503,
      ERROR_CODES.SERVICE_UNAVAILABLE,
      `Not ready: ${failed.join(', ')} unavailable`,
      { checks },
    );
  }
  return c.json({ status: 'ok' as const, checks }, 200);
};
