/**
 * The assistants of the LangGraph Platform API: each registered graph is one, addressable by
 * its graph name or a stable UUID (a UUIDv5 of the name). No LangChain here: the routes and
 * the store read it without loading the AI runtime.
 */
import { v5 as uuidv5 } from 'uuid';

/** Fixed namespace of the assistants' UUIDs: the same id in every deployment. */
const ASSISTANT_NAMESPACE = '2b0f8a55-6a2e-4c61-9a0e-7d4f1c3b8e21';

/** The chat assistant: a messages-state graph with the tools, the thread as its memory. */
export const CHAT_GRAPH = 'chat';

export interface AssistantDefinition {
  graphId: string;
  description: string;
}

export const ASSISTANT_DEFINITIONS: readonly AssistantDefinition[] = [
  {
    graphId: CHAT_GRAPH,
    description:
      'Chat with a model that can search your chats, do arithmetic and tell the time; the thread is its memory.',
  },
  {
    graphId: 'approval',
    description:
      'Drafts a text with the model and waits for a person to approve, edit or reject it.',
  },
  {
    graphId: 'plan-execute',
    description: 'Splits a goal into steps, runs them and summarizes the results.',
  },
];

export const assistantIdOf = (graphId: string) => uuidv5(graphId, ASSISTANT_NAMESPACE);

/** When the assistants were defined: their `created_at` and `updated_at`. */
const DEFINED_AT = '2026-01-01T00:00:00.000Z';

export interface Assistant {
  assistant_id: string;
  graph_id: string;
  name: string;
  description: string;
  config: Record<string, unknown>;
  context: Record<string, unknown>;
  metadata: Record<string, unknown>;
  version: number;
  created_at: string;
  updated_at: string;
}

export const toAssistant = (definition: AssistantDefinition): Assistant => ({
  assistant_id: assistantIdOf(definition.graphId),
  graph_id: definition.graphId,
  name: definition.graphId,
  description: definition.description,
  config: {},
  context: {},
  metadata: { created_by: 'system' },
  version: 1,
  created_at: DEFINED_AT,
  updated_at: DEFINED_AT,
});

/** The assistant named by `idOrName` (graph name or UUID), or null. */
export function findAssistant(idOrName: string): Assistant | null {
  const definition = ASSISTANT_DEFINITIONS.find(
    (candidate) =>
      candidate.graphId === idOrName || assistantIdOf(candidate.graphId) === idOrName.toLowerCase(),
  );
  return definition ? toAssistant(definition) : null;
}

export const listAssistants = () => ASSISTANT_DEFINITIONS.map(toAssistant);
