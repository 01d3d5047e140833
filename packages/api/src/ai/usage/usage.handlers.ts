import { ERROR_CODES, errorResponse } from '../../lib/errors.ts';
import type { AppRouteHandler } from '../../lib/types.ts';
import { callerMay, callerOf } from '../../middleware/auth.ts';
import { loadAiRuntime } from '../runtime/load.ts';
import type { UsageRoute } from './usage.routes.ts';

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

export const usage: AppRouteHandler<UsageRoute> = async (c) => {
  const query = c.req.valid('query');
  const caller = callerOf(c);
  if (query.scope === 'all' && !callerMay(caller, { user: ['list'] })) {
    return errorResponse(c, 403, ERROR_CODES.FORBIDDEN, 'Only admins may see everyone’s usage');
  }
  const to = query.to
    ? new Date(`${query.to}T00:00:00Z`)
    : new Date(`${isoDay(new Date())}T00:00:00Z`);
  const from = query.from
    ? new Date(`${query.from}T00:00:00Z`)
    : new Date(to.getTime() - 29 * DAY_MS);
  const days = (to.getTime() - from.getTime()) / DAY_MS + 1;
  if (days < 1 || days > MAX_DAYS) {
    return errorResponse(c, 422, ERROR_CODES.VALIDATION_FAILED, 'Invalid date range', [
      {
        location: 'query',
        path: 'from',
        message: `Must be on or before \`to\`, at most ${MAX_DAYS} days before it`,
      },
    ]);
  }
  const runtime = await loadAiRuntime(c.var.deps);
  const [rows, budget] = await Promise.all([
    runtime.usage.report({
      userId: query.scope === 'all' ? undefined : caller.user.id,
      from,
      to: new Date(to.getTime() + DAY_MS),
    }),
    runtime.usage.budgetStatus(caller.user.id),
  ]);
  const totals = rows.reduce(
    (sum, row) => ({
      calls: sum.calls + row.calls,
      promptTokens: sum.promptTokens + row.promptTokens,
      completionTokens: sum.completionTokens + row.completionTokens,
      totalTokens: sum.totalTokens + row.totalTokens,
      costUsd: sum.costUsd + row.costUsd,
    }),
    { calls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 },
  );
  return c.json(
    {
      from: isoDay(from),
      to: isoDay(to),
      scope: query.scope,
      rows,
      totals: { ...totals, costUsd: Number(totals.costUsd.toFixed(8)) },
      budget: {
        dailyTokens: budget.budget,
        usedToday: budget.used,
        remainingToday: budget.remaining,
        resetAt: budget.resetAt.toISOString(),
      },
    },
    200,
  );
};
