/** The job that executes a background run of the LangGraph Platform API (see src/jobs.ts). */
export const LANGGRAPH_RUN_JOB = 'langgraph.run';

export interface LangGraphRunJob {
  runId: string;
  threadId: string;
  userId: string;
  requestId: string | null;
}
