/** The `@langchain/langgraph-sdk` Client against an in-process app, both pinned versions. */
import { Client as ClientPinned } from '@langchain/langgraph-sdk';
import { Client as ClientLatest } from 'langgraph-sdk-latest';
import type { App } from '../src/app.ts';
import type { TestUser } from './accounts.ts';

/** What Agent Chat UI locks, and the current release. */
export const SDK_VERSIONS = [
  { name: 'sdk 1.8.10', Client: ClientPinned },
  { name: 'sdk latest', Client: ClientLatest as unknown as typeof ClientPinned },
] as const;

export const API_URL = 'http://localhost/api/langgraph';

/** A Client for `user` whose requests go to `app.request` (no network). */
export function sdkClient(Client: typeof ClientPinned, app: App, user: TestUser) {
  return new Client({
    apiUrl: API_URL,
    apiKey: null,
    defaultHeaders: { authorization: `Bearer ${user.bearer}` },
    callerOptions: {
      maxRetries: 0,
      fetch: (input: RequestInfo | URL, init?: RequestInit) =>
        app.request(input instanceof Request ? input : String(input), init),
    },
  });
}

/** One event of an SDK stream. */
export interface StreamEvent {
  event: string;
  data: unknown;
}

/** Every event of an SDK stream, in order, once it ends. */
export async function collect(stream: AsyncIterable<unknown>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const chunk of stream) events.push(chunk as StreamEvent);
  return events;
}
