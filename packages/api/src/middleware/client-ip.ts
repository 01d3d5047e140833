/**
 * The client's IP address, from a source no client controls: the configured trusted
 * proxy header (CloudFront's `CloudFront-Viewer-Address`), else the connection itself
 * (the Lambda event's source IP, or the local server's socket). Never `X-Forwarded-For`.
 */
import type { MiddlewareHandler } from 'hono';
import type { ClientIpVariables } from '../lib/types.ts';

export type { ClientIpVariables } from '../lib/types.ts';

export interface ClientIpOptions {
  /** A lower-case header set by a trusted proxy, e.g. `cloudfront-viewer-address`. @default none */
  trustedHeader?: string;
}

/** `CloudFront-Viewer-Address` is `ip:port` (IPv6 too: the port follows the last colon). */
export function parseViewerAddress(value: string): string | null {
  const trimmed = value.trim();
  const colon = trimmed.lastIndexOf(':');
  const ip =
    colon > 0 && /^\d+$/.test(trimmed.slice(colon + 1)) ? trimmed.slice(0, colon) : trimmed;
  const bare = ip.replace(/^\[|\]$/g, '');
  return /^[0-9a-fA-F:.]{2,45}$/.test(bare) ? bare : null;
}

type ConnectionEnv = {
  event?: { requestContext?: { http?: { sourceIp?: string } } };
  requestIP?: (request: Request) => { address: string } | null;
};

export const clientIp = (
  options: ClientIpOptions = {},
): MiddlewareHandler<{ Variables: ClientIpVariables }> => {
  const { trustedHeader } = options;
  return async function clientIp(c, next) {
    let ip: string | null = null;
    if (trustedHeader) {
      const value = c.req.header(trustedHeader);
      ip = value ? parseViewerAddress(value) : null;
    }
    if (!ip) {
      const env = c.env as ConnectionEnv | undefined;
      ip =
        env?.event?.requestContext?.http?.sourceIp ??
        (typeof env?.requestIP === 'function' ? (env.requestIP(c.req.raw)?.address ?? null) : null);
    }
    c.set('clientIp', ip ?? 'unknown');
    return next();
  };
};
