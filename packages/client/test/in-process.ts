/**
 * Fetch functions that route to the app in-process (`app.request`), as the clients under
 * test would reach it over the network, and a recorder that checks every response against
 * the document.
 */
import type { App } from '../../api/src/app.ts';
import { CookieJar } from '../../api/test/cookie-jar.ts';
import {
  createResponseChecker,
  listOperations,
  type OpenApiDocument,
  type Operation,
} from '../../api/test/reliability/document.ts';

type Fetch = typeof fetch;
type Observer = (request: Request, response: Response) => Promise<void>;

/**
 * Node's fetch (undici) as seen by the server: `Sec-Fetch-Mode: cors` on every request, no
 * Origin unless the caller sets one, no cookie jar.
 */
export function nodeFetch(app: App, observe?: Observer): Fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const headers = new Headers(request.headers);
    if (!headers.has('sec-fetch-mode')) headers.set('sec-fetch-mode', 'cors');
    const sent = new Request(request, { headers });
    const response = await app.request(sent.clone());
    await observe?.(sent, response);
    return response;
  }) as Fetch;
}

/** A browser on the API's own origin: it sends its Origin and keeps the cookies it is given. */
export function browserFetch(app: App, origin: string, observe?: Observer): Fetch {
  const jar = new CookieJar();
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const headers = new Headers(request.headers);
    jar.attach(headers);
    headers.set('origin', origin);
    headers.set('sec-fetch-mode', 'cors');
    headers.set('sec-fetch-site', 'same-origin');
    const sent = new Request(request, { headers });
    const response = await app.request(sent.clone());
    jar.store(response);
    await observe?.(sent, response);
    return response;
  }) as Fetch;
}

export interface Conformance {
  /** Checks one exchange; every client's fetch calls it. */
  observe: Observer;
  /** `METHOD /path → status` of every response checked. */
  readonly checked: string[];
  /** One line per response that does not match the document. */
  readonly mismatches: string[];
}

/** Checks each response against the operation the document declares for its request. */
export function conformance(doc: OpenApiDocument): Conformance {
  const check = createResponseChecker(doc);
  // Static paths before templated ones, so `/api/chats/{chatId}` never shadows a fixed path.
  const operations = listOperations(doc)
    .map((op) => ({
      op,
      pattern: new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      params: (op.path.match(/\{/g) ?? []).length,
    }))
    .sort((a, b) => a.params - b.params);
  const find = (method: string, path: string): Operation | undefined =>
    operations.find(({ op, pattern }) => op.method === method && pattern.test(path))?.op;
  const checked: string[] = [];
  const mismatches: string[] = [];
  return {
    checked,
    mismatches,
    async observe(request, response) {
      const path = new URL(request.url).pathname;
      const op = find(request.method, path);
      const label = `${request.method} ${path} → ${response.status}`;
      checked.push(label);
      if (!op) {
        mismatches.push(`${label}: no operation in the document`);
        return;
      }
      const result = await check(op, response.clone());
      if (result.problems.length > 0)
        mismatches.push(
          `${label}: ${result.problems.join('; ')} ${JSON.stringify(result.body).slice(0, 300)}`,
        );
    },
  };
}
