/**
 * Errors answered before the app runs (by the WAF or the edge signer), in the app's one error
 * shape (`packages/api/src/lib/errors.ts`): `{ "error": { "code", "message", "requestId",
 * "details"? } }`. The edge signer uses CloudFront's request id (also the `x-amz-cf-id` response
 * header); the WAF has none to give and says `unknown`, as the app does without one.
 */

/** The app's code for a body over the limit (`ERROR_CODES.PAYLOAD_TOO_LARGE`). */
export const PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE';
/** The app's code for a request it cannot read (`ERROR_CODES.BAD_REQUEST`). */
export const BAD_REQUEST = 'BAD_REQUEST';

export interface EdgeError {
  readonly code: string;
  readonly message: string;
  /** @default 'unknown' - the app's own placeholder */
  readonly requestId?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The error as JSON text in the app's shape. */
export function edgeErrorBody(error: EdgeError): string {
  const { code, message, requestId = 'unknown', details } = error;
  return JSON.stringify({
    error:
      details === undefined ? { code, message, requestId } : { code, message, requestId, details },
  });
}
