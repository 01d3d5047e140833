/**
 * What `GET /assistants/{id}/graph` and `/schemas` answer: the compiled graph's nodes and
 * edges (LangGraph's own drawable graph), and JSON schemas of its input and state (from the
 * workflow's zod input schema; the messages state of the chat graph).
 */
import { z } from 'zod';
import { findWorkflow } from '../graphs/registry.ts';
import { type Assistant, CHAT_GRAPH } from './assistants.ts';
import type { Graphs } from './graphs.ts';

/** The messages state Agent Chat UI and the chat graph use. */
const MESSAGES_STATE = {
  type: 'object',
  properties: {
    messages: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: { type: 'string' },
          content: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }] },
        },
        required: ['content'],
      },
    },
  },
} as const;

const CONFIG = {
  type: 'object',
  properties: {
    configurable: { type: 'object', properties: { model: { type: 'string' } } },
  },
} as const;

export interface AssistantGraphJson {
  nodes: Array<{ id: string | number; name?: string; data?: unknown; metadata?: unknown }>;
  edges: Array<{ source: string; target: string; data?: string; conditional?: boolean }>;
}

/** The assistant's nodes and edges; `xray` includes subgraphs (to that depth when a number). */
export async function assistantGraph(
  graphs: Graphs,
  assistant: Assistant,
  userId: string,
  xray?: boolean | number,
): Promise<AssistantGraphJson> {
  const drawable = await graphs
    .graphOf(assistant.graph_id, userId)
    .getGraphAsync(xray === undefined ? {} : { xray });
  return drawable.toJSON() as AssistantGraphJson;
}

/** The assistant's JSON schemas, in the shape of the SDK's `GraphSchema`. */
export function assistantSchemas(assistant: Assistant) {
  const workflow = assistant.graph_id === CHAT_GRAPH ? null : findWorkflow(assistant.graph_id);
  const input = workflow
    ? { anyOf: [z.toJSONSchema(workflow.inputSchema, { io: 'input' }), MESSAGES_STATE] }
    : MESSAGES_STATE;
  return {
    graph_id: assistant.graph_id,
    input_schema: input,
    output_schema: workflow ? { type: 'object' } : MESSAGES_STATE,
    state_schema: workflow ? { type: 'object' } : MESSAGES_STATE,
    config_schema: CONFIG,
    context_schema: null,
  };
}
