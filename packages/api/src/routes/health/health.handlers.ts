import { ERROR_CODES, errorResponse } from '../../lib/errors.ts';
import type { AppRouteHandler } from '../../lib/types.ts';
import type { LivenessRoute, ReadinessRoute } from './health.routes.ts';

/** How long one readiness check may take before it counts as failed. */
export const READINESS_TIMEOUT_MS = 2_000;

async function check(probe: () => Promise<void>): Promise<'ok' | 'unavailable'> {
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

export const readiness: AppRouteHandler<ReadinessRoute> = async (c) => {
  const { database, cache } = c.var.deps;
  const [databaseStatus, cacheStatus] = await Promise.all([
    check(() => database.ping()),
    check(() => cache.ping()),
  ]);
  const checks = { database: databaseStatus, cache: cacheStatus };
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
