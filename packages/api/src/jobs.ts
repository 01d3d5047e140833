/**
 * The job handlers: every kind of work that outlives a request, registered once per deps.
 * The API (which queues jobs) and the worker (which runs them on AWS) register the same ones.
 * A handler's feature code loads by dynamic import when a job arrives, so registering costs
 * a cold start nothing (AI and file code stay out of the core chunk).
 */
import { LANGGRAPH_RUN_JOB, type LangGraphRunJob } from './ai/langgraph/jobs.ts';
import {
  FILES_INGEST_JOB,
  FILES_OBJECT_CREATED_JOB,
  type FilesIngestJob,
  type FilesObjectCreatedJob,
} from './files/jobs.ts';
import type { AppDeps } from './lib/app-deps.ts';
import type { JobHandlers } from './lib/queue/types.ts';

/** Adds each feature's job handlers to `handlers`, bound to `deps`. */
export function registerJobs(handlers: JobHandlers, deps: AppDeps): void {
  // Each feature adds one line: handlers.register('feature.job', async (payload, context) => …);
  handlers.register<LangGraphRunJob>(LANGGRAPH_RUN_JOB, async (payload, context) => {
    const { loadAiRuntime } = await import('./ai/runtime/load.ts');
    const runtime = await loadAiRuntime(deps);
    await runtime.langgraph.executeQueued(payload, context.signal);
  });
  handlers.register<FilesIngestJob>(FILES_INGEST_JOB, async (payload, context) => {
    const { ingestFile } = await import('./files/ingest.ts');
    await ingestFile(deps, payload.fileId, context);
  });
  handlers.register<FilesObjectCreatedJob>(FILES_OBJECT_CREATED_JOB, async (payload) => {
    const { completeStoredObject } = await import('./files/object-created.ts');
    await completeStoredObject(deps, payload);
  });
}
