/**
 * Security headers on every response, with Hono's `secureHeaders`: a CSP of
 * `default-src 'none'` for API responses and a separate policy for the Scalar page (its
 * script is served by this app, every script tag carries a per-request nonce; no other
 * origin is allowed: no CDN, no web fonts, no request proxy), HSTS outside
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
      // Nothing the API answers is a page: should a browser render one (a stored HTML file
      // downloaded from local storage, say), it runs in an opaque origin with no scripts.
      sandbox: [],
    },
  });
  const docs = honoSecureHeaders({
    ...common,
    // The page loads nothing from other origins; `credentialless` keeps it working should a
    // document's description link an image elsewhere (which img-src still refuses).
    crossOriginEmbedderPolicy: 'credentialless',
    crossOriginResourcePolicy: 'same-origin',
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      // The nonce admits the page's script tags (Scalar's own copy, then its start-up call).
      scriptSrc: [NONCE],
      // Scalar sets style attributes at run time, which a nonce cannot cover.
      styleSrc: ["'self'", "'unsafe-inline'"],
      fontSrc: ["'self'", 'data:'],
      imgSrc: ["'self'", 'data:'],
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
