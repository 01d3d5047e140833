/** What the prompt-injection suites share: the tool allowlist, a canary server, tool calls. */
import type { ScriptedReply } from '../openai-server.ts';

/** The tools the assistant agent is offered; anything else must never run. */
export const ALLOWED_TOOLS = ['search_chats', 'search_documents', 'calculator', 'current_time'];

/** A page on loopback that counts its hits: the fetch tool would reach it if let through. */
export function startCanary() {
  let hits = 0;
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: () => {
      hits++;
      return new Response('canary');
    },
  });
  return {
    url: (path: string) => `http://127.0.0.1:${server.port}${path}`,
    get hits() {
      return hits;
    },
    stop: () => server.stop(true),
  };
}

/** A scripted model reply that calls one tool. */
export const toolCall = (
  name: string,
  args: Record<string, unknown> | string,
  id = `call_${name}`,
): ScriptedReply => ({ toolCalls: [{ name, arguments: args, id }] });
