/**
 * An agent run in the AI SDK's UI message stream protocol (v1):
 *
 *   (first)      → `start` (messageMetadata: agent, model), `start-step`
 *   tool_call    → `tool-input-available` (toolCallId, toolName, input)
 *   tool_result  → `tool-output-available` (toolCallId, output)
 *   token        → `text-start` (once), `text-delta`
 *   withheld     → `reset-step`, then the withheld text
 *   done         → `text-end`, `finish-step`, `finish` (messageMetadata: steps, toolCalls, filtered)
 *
 * A failure thrown by the run becomes the writer's `error` chunk (lib/sse.ts).
 */
import { UI_TEXT_ID } from '../../lib/ui-message-chunks.ts';
import type { AgentEvent } from './agents.service.ts';

export type AgentUiChunk =
  | { type: 'start'; messageMetadata: { agent: string; model: string } }
  | { type: 'start-step' | 'reset-step' | 'finish-step' }
  | { type: 'text-start' | 'text-end'; id: string }
  | { type: 'text-delta'; id: string; delta: string }
  | {
      type: 'tool-input-available';
      toolCallId: string;
      toolName: string;
      input: Record<string, unknown>;
    }
  | { type: 'tool-output-available'; toolCallId: string; output: string }
  | {
      type: 'finish';
      finishReason: 'stop' | 'content-filter';
      messageMetadata: {
        agent: string;
        model: string;
        steps: number;
        filtered: boolean;
        toolCalls: number;
      };
    };

export async function* agentUiChunks(
  agent: string,
  model: string,
  events: AsyncIterable<AgentEvent>,
): AsyncGenerator<AgentUiChunk> {
  yield { type: 'start', messageMetadata: { agent, model } };
  yield { type: 'start-step' };
  let open = false;
  for await (const event of events) {
    switch (event.type) {
      case 'tool_call':
        yield {
          type: 'tool-input-available',
          toolCallId: event.id,
          toolName: event.name,
          input: event.args,
        };
        break;
      case 'tool_result':
        yield { type: 'tool-output-available', toolCallId: event.id, output: event.content };
        break;
      case 'token':
        if (!open) yield { type: 'text-start', id: UI_TEXT_ID };
        open = true;
        yield { type: 'text-delta', id: UI_TEXT_ID, delta: event.text };
        break;
      case 'withheld':
        yield { type: 'reset-step' };
        yield { type: 'start-step' };
        yield { type: 'text-start', id: UI_TEXT_ID };
        open = true;
        yield { type: 'text-delta', id: UI_TEXT_ID, delta: event.content };
        break;
      case 'done':
        if (open) yield { type: 'text-end', id: UI_TEXT_ID };
        open = false;
        yield { type: 'finish-step' };
        yield {
          type: 'finish',
          finishReason: event.result.filtered ? 'content-filter' : 'stop',
          messageMetadata: {
            agent,
            model,
            steps: event.result.steps,
            filtered: event.result.filtered,
            toolCalls: event.result.toolCalls.length,
          },
        };
        break;
    }
  }
}
