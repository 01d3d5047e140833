/**
 * Security headers on every response, with Hono's `secureHeaders`: a CSP of
 * `default-src 'none'` for API responses and a separate policy for the Scalar page (its
 * script comes from jsDelivr, its inline script carries a per-request nonce), HSTS outside
 * local development, framing denied, MIME sniffing off, COOP/COEP/CORP, no X-Powered-By.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders as honoSecureHeaders, NONCE } from 'hono/secure-headers';

export interface SecureHeadersOptions {
  /** Send HSTS (false on a laptop, where http://localhost is used). */
  hsts: boolean;
  /** The path of the API reference page, which gets the docs policy. */
  docsPath: string;
}

/** Two years, with subdomains: at least the one year HSTS preload lists ask for. */
export const HSTS = 'max-age=63072000; includeSubDomains';
const SCALAR_CDN = 'https://cdn.jsdelivr.net';

/** Powerful features an API response never needs: each off (`feature=()`). */
const PERMISSIONS_POLICY = {
  camera: false,
  microphone: false,
  geolocation: false,
  payment: false,
  usb: false,
  fullscreen: false,
};

export const secureHeaders = (options: SecureHeadersOptions): MiddlewareHandler => {
  const common = {
    strictTransportSecurity: options.hsts ? HSTS : false,
    xFrameOptions: 'DENY',
    xContentTypeOptions: 'nosniff',
    referrerPolicy: 'no-referrer',
    crossOriginOpenerPolicy: 'same-origin',
    originAgentCluster: '?1',
    xDnsPrefetchControl: 'off',
    xDownloadOptions: 'noopen',
    xPermittedCrossDomainPolicies: 'none',
    xXssProtection: '0',
    removePoweredBy: true,
    permissionsPolicy: PERMISSIONS_POLICY,
  } as const;
  const api = honoSecureHeaders({
    ...common,
    crossOriginEmbedderPolicy: 'require-corp',
    crossOriginResourcePolicy: 'same-origin',
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  });
  const docs = honoSecureHeaders({
    ...common,
    // The page loads its script and fonts from other origins that do not all send CORP.
    crossOriginEmbedderPolicy: 'credentialless',
    crossOriginResourcePolicy: 'same-origin',
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: [NONCE, SCALAR_CDN],
      styleSrc: ["'self'", "'unsafe-inline'", SCALAR_CDN],
      fontSrc: ["'self'", 'data:', SCALAR_CDN, 'https://fonts.scalar.com'],
      imgSrc: ["'self'", 'data:', 'https:'],
      connectSrc: ["'self'"],
      workerSrc: ["'self'", 'blob:'],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
  });
  return async function secureHeaders(c, next) {
    return c.req.path === options.docsPath ? docs(c, next) : api(c, next);
  };
};
