/** A run as the LangGraph Platform API shows it. */
import type { LgRun } from './store.ts';

export const runView = (run: LgRun) => ({
  run_id: run.id,
  thread_id: run.threadId,
  assistant_id: run.assistantId,
  created_at: run.createdAt.toISOString(),
  updated_at: run.updatedAt.toISOString(),
  status: run.status,
  metadata: run.metadata,
  kwargs: run.kwargs,
  multitask_strategy: run.multitaskStrategy,
});
