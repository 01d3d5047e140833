/** The agent tools, built per request for the authenticated caller. */
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { Retrieval } from '../../files/retrieval.ts';
import type { Database } from '../../lib/db/index.ts';
import { createCalculatorTool } from './calculator.ts';
import { createCurrentTimeTool } from './current-time.ts';
import { createHttpFetchTool } from './http-fetch.ts';
import { createSearchChatsTool } from './search-chats.ts';
import { createSearchDocumentsTool } from './search-documents.ts';

export const TOOL_NAMES = [
  'search_chats',
  'search_documents',
  'calculator',
  'current_time',
  'http_fetch',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export interface ToolContext {
  db: Database;
  /** The caller: search reads this user's rows only. */
  userId: string;
  /** Hosts the fetch tool may reach; empty: no fetch tool. */
  fetchAllowedHosts: readonly string[];
  fetchTimeoutMs: number;
  /** Searches documents (scoped to `userId` by the tool); absent: no document search tool. */
  documents?: Retrieval;
}

/**
 * The tools named in `names` that exist in this configuration (fetch needs an allowlist,
 * document search a retrieval).
 */
export function buildTools(
  names: readonly ToolName[],
  context: ToolContext,
): StructuredToolInterface[] {
  const tools: StructuredToolInterface[] = [];
  for (const name of names) {
    if (name === 'search_chats') tools.push(createSearchChatsTool(context));
    if (name === 'search_documents' && context.documents) {
      tools.push(
        createSearchDocumentsTool({ retrieval: context.documents, userId: context.userId }),
      );
    }
    if (name === 'calculator') tools.push(createCalculatorTool());
    if (name === 'current_time') tools.push(createCurrentTimeTool());
    if (name === 'http_fetch' && context.fetchAllowedHosts.length > 0) {
      tools.push(
        createHttpFetchTool({
          allowedHosts: context.fetchAllowedHosts,
          timeoutMs: context.fetchTimeoutMs,
        }),
      );
    }
  }
  return tools;
}
