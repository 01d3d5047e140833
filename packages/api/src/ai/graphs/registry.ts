/**
 * The registered workflows: each a LangGraph graph with its input schema and initial state,
 * compiled once per runtime with the checkpointer.
 */
import type { CompiledStateGraph, StateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { z } from 'zod';
import { approvalInitialState, approvalInputSchema, buildApprovalGraph } from './approval.ts';
import type { GraphContext } from './context.ts';
import {
  buildPlanExecuteGraph,
  planExecuteInitialState,
  planExecuteInputSchema,
} from './plan-execute.ts';

export interface WorkflowDefinition {
  name: string;
  description: string;
  inputSchema: z.ZodType;
  // biome-ignore lint/suspicious/noExplicitAny: each workflow has its own state type; the service only runs them
  build(context: GraphContext): StateGraph<any, any, any, any, any, any>;
  initialState(input: unknown, model: string): Record<string, unknown>;
}

export const WORKFLOWS: readonly WorkflowDefinition[] = [
  {
    name: 'approval',
    description:
      'Drafts a text with the model, waits for a person to approve, edit or reject it (POST …/resume), then stores an approved text as a message in a new chat.',
    inputSchema: approvalInputSchema,
    build: buildApprovalGraph,
    initialState: (input, model) =>
      approvalInitialState(input as z.infer<typeof approvalInputSchema>, model),
  },
  {
    name: 'plan-execute',
    description:
      'Splits a goal into steps, routes each to the calculator or the model, runs them in parallel (the model steps with a retry policy) and summarizes the results.',
    inputSchema: planExecuteInputSchema,
    build: buildPlanExecuteGraph,
    initialState: (input, model) =>
      planExecuteInitialState(input as z.infer<typeof planExecuteInputSchema>, model),
  },
];

export interface GraphInfo {
  name: string;
  description: string;
  /** JSON Schema of the input `POST /api/ai/graphs` takes. */
  inputSchema: Record<string, unknown>;
}

export type CompiledWorkflow = CompiledStateGraph<
  Record<string, unknown>,
  Record<string, unknown>,
  string
>;

/** The workflows, described for `GET /api/ai/graphs`. */
export const describeWorkflows = (): GraphInfo[] =>
  WORKFLOWS.map((workflow) => ({
    name: workflow.name,
    description: workflow.description,
    inputSchema: z.toJSONSchema(workflow.inputSchema, { io: 'input' }) as Record<string, unknown>,
  }));

/** The workflow named `name`, or null. */
export const findWorkflow = (name: string) =>
  WORKFLOWS.find((candidate) => candidate.name === name) ?? null;

/** Every workflow compiled with `checkpointer`; `workflowOf(name)` fails for an unknown name. */
export function compileWorkflows(context: GraphContext, checkpointer: BaseCheckpointSaver) {
  const compiled = new Map<string, CompiledWorkflow>(
    WORKFLOWS.map((workflow) => [
      workflow.name,
      workflow
        .build(context)
        .compile({ checkpointer, name: workflow.name }) as unknown as CompiledWorkflow,
    ]),
  );
  return (name: string): CompiledWorkflow => {
    const graph = compiled.get(name);
    if (!graph) throw new Error(`No workflow named ${name}`);
    return graph;
  };
}
