/**
 * Workflow instances and their lifecycle: ownership (another user's instance is not found,
 * like a missing one) and the run lease. One run or resume at a time holds an instance: a
 * lease in `ai_graphs.running_until`, taken atomically in the database, so across
 * containers too; another one meanwhile answers 409 with Retry-After.
 */
import { aiGraphs } from '@backend/shared/schema';
import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../../lib/db/index.ts';
import { ApiError, ERROR_CODES } from '../../lib/errors.ts';

export type GraphInstance = typeof aiGraphs.$inferSelect;

/** An instance held by one run; releasing twice, or after the lease ran out, does nothing. */
export interface GraphLease {
  /** The instance, as taking the lease left it. */
  readonly instance: GraphInstance;
  release(): Promise<void>;
}

export const graphNotFound = () =>
  new ApiError(404, ERROR_CODES.NOT_FOUND, 'Graph instance not found');

export interface GraphInstancesOptions {
  db: Database;
  /**
   * How long a run may hold an instance: the longest an AI request may last, plus a margin.
   * A container that dies mid-run leaves the instance held until then.
   */
  leaseMs: number;
}

export function createGraphInstances({ db, leaseMs }: GraphInstancesOptions) {
  /** The 409 for an instance a run holds, with Retry-After; 404 if it is gone meanwhile. */
  async function running(graphId: string): Promise<ApiError> {
    const [held] = await db
      .select({ wait: sql<number>`ceil(extract(epoch from ${aiGraphs.runningUntil} - now()))` })
      .from(aiGraphs)
      .where(eq(aiGraphs.id, graphId));
    if (!held) return graphNotFound();
    const retryAfter = Math.max(1, Number(held.wait ?? 1));
    return new ApiError(
      409,
      ERROR_CODES.CONFLICT,
      'The instance is running; try again when that run has finished',
      { headers: { 'Retry-After': String(retryAfter) } },
    );
  }

  return {
    running,

    async create(userId: string, graph: string): Promise<GraphInstance> {
      const [row] = await db.insert(aiGraphs).values({ userId, graph }).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },

    /** The instance, if it is `userId`'s; null otherwise. */
    async find(userId: string, graphId: string): Promise<GraphInstance | null> {
      const [row] = await db
        .select()
        .from(aiGraphs)
        .where(and(eq(aiGraphs.id, graphId), eq(aiGraphs.userId, userId)));
      return row ?? null;
    },

    /**
     * Takes the instance for one run, and marks it used now (what the prune TTL counts
     * from): 409 with Retry-After while another run holds it.
     */
    async acquire(row: GraphInstance): Promise<GraphLease> {
      const [claimed] = await db
        .update(aiGraphs)
        .set({
          runningUntil: sql`now() + ${leaseMs} * interval '1 millisecond'`,
          updatedAt: new Date(),
        })
        .where(
          and(
            eq(aiGraphs.id, row.id),
            or(isNull(aiGraphs.runningUntil), lte(aiGraphs.runningUntil, sql`now()`)),
          ),
        )
        .returning();
      const until = claimed?.runningUntil;
      if (!claimed || !until) throw await running(row.id);
      let released = false;
      return {
        instance: claimed,
        async release() {
          if (released) return;
          released = true;
          // Only this lease: one that ran out may have been taken by another run since.
          await db
            .update(aiGraphs)
            .set({ runningUntil: null })
            .where(and(eq(aiGraphs.id, row.id), eq(aiGraphs.runningUntil, until)));
        },
      };
    },
  };
}
