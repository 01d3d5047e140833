/** The job that executes a background run of the LangGraph Platform API (see src/jobs.ts). */
export const LANGGRAPH_RUN_JOB = 'langgraph.run';

export interface LangGraphRunJob {
  runId: string;
  threadId: string;
  userId: string;
  requestId: string | null;
  /** The runs it interrupted (multitask_strategy interrupt or rollback). */
  supersedes?: { runIds: string[]; rollback: boolean };
}
