/**
 * The HTTP fetch tool: GETs a URL whose host is on an allowlist (AI_FETCH_ALLOWED_HOSTS).
 * With an empty allowlist the tool does not exist (agents are built without it). Each
 * redirect is checked against the allowlist too; no cookies or credentials are sent; the
 * body is cut at a size limit and only text is returned.
 */
import { tool } from '@langchain/core/tools';
import { z } from 'zod';

export interface HttpFetchOptions {
  /** Host names (or `host:port`) the tool may reach; lower-case, exact match. */
  allowedHosts: readonly string[];
  /** Per request. @default 5000 */
  timeoutMs?: number;
  /** Longest body returned, in bytes. @default 50000 */
  maxBytes?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

const MAX_REDIRECTS = 3;

export class FetchRefusedError extends Error {
  override readonly name = 'FetchRefusedError';
}

/** Whether `url` may be fetched under `allowedHosts` (http or https, host on the list). */
export function isAllowedUrl(url: URL, allowedHosts: readonly string[]): boolean {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username || url.password) return false;
  const hosts = allowedHosts.map((host) => host.toLowerCase());
  return hosts.includes(url.host.toLowerCase()) || hosts.includes(url.hostname.toLowerCase());
}

/** GETs `target` within the allowlist; the status line and text body, or a refusal. */
export async function fetchAllowed(target: string, options: HttpFetchOptions): Promise<string> {
  const doFetch = options.fetch ?? fetch;
  const maxBytes = options.maxBytes ?? 50_000;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new FetchRefusedError(`Not a URL: ${target}`);
  }
  for (let redirects = 0; ; redirects += 1) {
    if (!isAllowedUrl(url, options.allowedHosts)) {
      throw new FetchRefusedError(`Host not allowed: ${url.host || url.protocol}`);
    }
    const response = await doFetch(url, {
      method: 'GET',
      redirect: 'manual',
      credentials: 'omit',
      headers: { accept: 'text/*, application/json;q=0.9' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      if (redirects >= MAX_REDIRECTS) throw new FetchRefusedError('Too many redirects');
      url = new URL(location, url);
      continue;
    }
    const type = response.headers.get('content-type') ?? '';
    if (type && !/^(text\/|application\/(json|xml|[\w.+-]+\+(json|xml)))/i.test(type)) {
      await response.body?.cancel();
      return `HTTP ${response.status}; not text (${type.split(';')[0]})`;
    }
    const bytes = await readAtMost(response, maxBytes);
    const text = new TextDecoder().decode(bytes.data);
    return `HTTP ${response.status}\n${text}${bytes.truncated ? '\n[truncated]' : ''}`;
  }
}

async function readAtMost(response: Response, maxBytes: number) {
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      size = maxBytes;
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  const data = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { data, truncated };
}

export function createHttpFetchTool(options: HttpFetchOptions) {
  if (options.allowedHosts.length === 0) {
    throw new FetchRefusedError('The fetch tool needs at least one allowed host');
  }
  return tool(
    async ({ url }) => {
      try {
        return await fetchAllowed(url, options);
      } catch (error) {
        if (error instanceof FetchRefusedError) return `Error: ${error.message}`;
        const reason =
          error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'failed';
        return `Error: the request ${reason}`;
      }
    },
    {
      name: 'http_fetch',
      description: `GETs a web page or JSON document. Allowed hosts: ${options.allowedHosts.join(', ')}.`,
      schema: z.object({ url: z.string().min(1).max(2_000).describe('An http(s) URL') }),
    },
  );
}
