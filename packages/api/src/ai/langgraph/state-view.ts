/**
 * A thread's state as the LangGraph Platform API shows it (`GET /threads/{id}/state`, history
 * entries, `runs/wait`): LangGraph's `StateSnapshot` with plain JSON values and checkpoint refs.
 */
import type { RunnableConfig } from '@langchain/core/runnables';
import type { StateSnapshot } from '@langchain/langgraph';
import { plain } from './serialize.ts';

export interface CheckpointRef {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string | null;
}

export interface ThreadStateView {
  values: unknown;
  next: string[];
  tasks: Array<{
    id: string;
    name: string;
    path?: unknown;
    error: string | null;
    interrupts: unknown[];
    checkpoint: null;
    state: null;
    result?: unknown;
  }>;
  metadata: unknown;
  created_at: string | null;
  checkpoint: CheckpointRef;
  parent_checkpoint: CheckpointRef | null;
  checkpoint_id: string | null;
  parent_checkpoint_id: string | null;
}

const refOf = (config: RunnableConfig | undefined): CheckpointRef | null => {
  const configurable = config?.configurable;
  if (!configurable?.checkpoint_id) return null;
  return {
    thread_id: String(configurable.thread_id),
    checkpoint_ns: String(configurable.checkpoint_ns ?? ''),
    checkpoint_id: String(configurable.checkpoint_id),
  };
};

export function toStateView(snapshot: StateSnapshot): ThreadStateView {
  const checkpoint = refOf(snapshot.config) ?? {
    thread_id: String(snapshot.config.configurable?.thread_id ?? ''),
    checkpoint_ns: '',
    checkpoint_id: null,
  };
  const parent = refOf(snapshot.parentConfig);
  return {
    values: plain(snapshot.values ?? {}),
    next: [...snapshot.next],
    tasks: snapshot.tasks.map((task) => ({
      id: task.id,
      name: task.name,
      path: plain(task.path),
      error: task.error ? String((task.error as { message?: string }).message ?? task.error) : null,
      interrupts: plain(task.interrupts ?? []) as unknown[],
      checkpoint: null,
      state: null,
      ...(task.result !== undefined ? { result: plain(task.result) } : {}),
    })),
    metadata: plain(snapshot.metadata ?? {}),
    created_at: snapshot.createdAt ?? null,
    checkpoint,
    parent_checkpoint: parent,
    checkpoint_id: checkpoint.checkpoint_id,
    parent_checkpoint_id: parent?.checkpoint_id ?? null,
  };
}

/** The pending interrupts of a state, every task's in order. */
export const interruptsOf = (state: ThreadStateView) =>
  state.tasks.flatMap((task) => task.interrupts);
