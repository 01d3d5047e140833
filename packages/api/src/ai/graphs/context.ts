/**
 * What workflow nodes may use: the database (for side effects), the models and the budget
 * (each model call under a reservation: `withReservation(context.usage, …)`).
 * Per-run facts (who runs it) travel in `config.configurable`, set by the graph service on
 * every run and resume, never stored in the state a client can read.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { Database } from '../../lib/db/index.ts';
import type { ModelRegistry } from '../runtime/models.ts';
import type { UsageService } from '../usage/usage.service.ts';

export interface GraphContext {
  db: Database;
  models: ModelRegistry;
  usage: Pick<UsageService, 'reserve'>;
}

/** The user a run belongs to, from its config (set by the graph service). */
export function runUserId(config: LangGraphRunnableConfig): string {
  const userId = config.configurable?.user_id;
  if (typeof userId !== 'string' || userId === '') {
    throw new Error('A workflow run needs configurable.user_id');
  }
  return userId;
}

/** The graph instance (LangGraph thread) of a run. */
export function runGraphId(config: LangGraphRunnableConfig): string {
  const threadId = config.configurable?.thread_id;
  if (typeof threadId !== 'string' || threadId === '') {
    throw new Error('A workflow run needs configurable.thread_id');
  }
  return threadId;
}
