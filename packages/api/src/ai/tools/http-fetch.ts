/**
 * The HTTP fetch tool: GETs a URL whose host and port are on an allowlist
 * (AI_FETCH_ALLOWED_HOSTS: `host` allows port 443 only, `host:8443` that port only). The
 * name is resolved here and refused if any of its addresses is not public (loopback,
 * private, link-local, metadata …: public-address.ts); the connection then goes to the
 * address that was checked, so a second DNS answer cannot swap it (TLS still verifies the
 * name). With an empty allowlist the tool does not exist (agents are built without it). Each
 * redirect is checked the same way; no cookies or credentials are sent; the body is cut at a
 * size limit and only text is returned.
 */
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { isPublicAddress } from './public-address.ts';

/** Resolves a host name to every address it has (as `dns.promises.lookup` with `all`). */
export type ResolveHost = (hostname: string) => Promise<readonly LookupAddress[]>;

/** GETs `url` over a connection to `address`, whatever DNS says about the URL's host now. */
export type PinnedGet = (
  url: URL,
  address: LookupAddress,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<Response>;

export interface HttpFetchOptions {
  /** `host` (port 443) or `host:port` entries the tool may reach; lower-case, exact match. */
  allowedHosts: readonly string[];
  /** Per request. @default 5000 */
  timeoutMs?: number;
  /** Longest body returned, in bytes. @default 50000 */
  maxBytes?: number;
  /** @default every address from `dns.promises.lookup` */
  resolve?: ResolveHost;
  /** Which resolved addresses may be connected to. @default isPublicAddress */
  isAllowedAddress?: (address: string) => boolean;
  /** @default node:http / node:https connecting to the checked address */
  get?: PinnedGet;
}

const DEFAULT_PORTS: Record<string, string> = { 'https:': '443', 'http:': '80' };
/** The port an allowlist entry without one allows. */
const DEFAULT_ALLOWED_PORT = '443';
const MAX_REDIRECTS = 3;

export class FetchRefusedError extends Error {
  override readonly name = 'FetchRefusedError';
}

/** Whether `url` may be fetched under `allowedHosts` (http or https, host and port listed). */
export function isAllowedUrl(url: URL, allowedHosts: readonly string[]): boolean {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username || url.password) return false;
  const port = url.port || DEFAULT_PORTS[url.protocol];
  const target = `${url.hostname.toLowerCase()}:${port}`;
  return allowedHosts.some((entry) => {
    const host = entry.toLowerCase();
    return (host.includes(':') ? host : `${host}:${DEFAULT_ALLOWED_PORT}`) === target;
  });
}

const resolveWithDns: ResolveHost = (hostname) =>
  dnsLookup(hostname, { all: true, verbatim: true });

/** The address to connect to for `url`: every address of its host must be public. */
async function checkedAddress(
  url: URL,
  resolve: ResolveHost,
  isAllowedAddress: (address: string) => boolean,
): Promise<LookupAddress> {
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(hostname);
  let addresses: readonly LookupAddress[];
  if (literal) {
    addresses = [{ address: hostname, family: literal }];
  } else {
    try {
      addresses = await resolve(hostname);
    } catch {
      throw new FetchRefusedError(`Host not found: ${url.hostname}`);
    }
  }
  const [first] = addresses;
  if (!first) throw new FetchRefusedError(`Host not found: ${url.hostname}`);
  if (addresses.some(({ address }) => !isAllowedAddress(address))) {
    throw new FetchRefusedError(`Address not allowed: ${url.hostname} is not a public address`);
  }
  return first;
}

/** Statuses whose response has no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

const getPinned: PinnedGet = (url, address, init) =>
  new Promise((resolvePromise, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      url,
      {
        method: 'GET',
        headers: init.headers,
        signal: init.signal,
        // The connection goes to the checked address; TLS (SNI, certificate) keeps the name.
        lookup: (_hostname, options, callback) => {
          if ((options as { all?: boolean }).all) {
            (callback as (error: null, addresses: LookupAddress[]) => void)(null, [address]);
          } else callback(null, address.address, address.family);
        },
      },
      (response: IncomingMessage) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value === undefined) continue;
          for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
        }
        const status = response.statusCode ?? 502;
        const body = NULL_BODY_STATUSES.has(status)
          ? null
          : (Readable.toWeb(response) as unknown as ReadableStream<Uint8Array>);
        if (!body) response.resume();
        resolvePromise(new Response(body, { status, headers }));
      },
    );
    request.on('error', reject);
    request.end();
  });

/** GETs `target` within the allowlist; the status line and text body, or a refusal. */
export async function fetchAllowed(target: string, options: HttpFetchOptions): Promise<string> {
  const get = options.get ?? getPinned;
  const resolve = options.resolve ?? resolveWithDns;
  const maxBytes = options.maxBytes ?? 50_000;
  const signal = AbortSignal.timeout(options.timeoutMs ?? 5_000);
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
    const address = await checkedAddress(url, resolve, options.isAllowedAddress ?? isPublicAddress);
    const response = await get(url, address, {
      headers: { accept: 'text/*, application/json;q=0.9' },
      signal,
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
        // The only signal is the timeout's; node:http reports it as an AbortError.
        const timedOut =
          error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        const reason = timedOut ? 'timed out' : 'failed';
        return `Error: the request ${reason}`;
      }
    },
    {
      name: 'http_fetch',
      description: `GETs a web page or JSON document. Allowed hosts (port 443 unless named): ${options.allowedHosts.join(', ')}.`,
      schema: z.object({ url: z.string().min(1).max(2_000).describe('An http(s) URL') }),
    },
  );
}
