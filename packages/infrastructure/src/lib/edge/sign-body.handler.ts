/**
 * The Lambda@Edge origin-request function in front of the API's Function URL. CloudFront signs
 * origin requests with Origin Access Control (SigV4, `AuthType: AWS_IAM`), but it does not hash
 * a request body: for POST, PUT and PATCH the signature needs the body's SHA-256 in
 * `x-amz-content-sha256`. This function, triggered with `includeBody`, puts it there, so an
 * unchanged client works. It also moves the viewer's `Authorization` header (a bearer session
 * token) aside, because the OAC signature takes that header; the app puts it back.
 *
 * Lambda@Edge hands the function at most 1 MB of body: a longer one arrives with
 * `inputTruncated`, cannot be hashed, and is refused here with 413 in the app's error shape.
 */
import { createHash } from 'node:crypto';
import type {
  CloudFrontHeaders,
  CloudFrontRequestEvent,
  CloudFrontRequestResult,
  CloudFrontResultResponse,
} from 'aws-lambda';
import { edgeErrorBody, PAYLOAD_TOO_LARGE } from '../edge-errors.ts';

/** The SigV4 header that carries the payload hash. */
export const CONTENT_SHA256_HEADER = 'x-amz-content-sha256';
/** Where the viewer's `Authorization` header travels to the app (OAC overwrites the original). */
export const VIEWER_AUTHORIZATION_HEADER = 'x-viewer-authorization';
/** The most body Lambda@Edge gives an origin-request function (`includeBody`). */
export const EDGE_BODY_LIMIT_BYTES = 1_048_576;

/** The body's bytes as CloudFront hands them (base64 for `includeBody`, or text). */
export function bodyBytes(
  body: CloudFrontRequestEvent['Records'][number]['cf']['request']['body'],
) {
  if (!body?.data) return Buffer.alloc(0);
  return body.encoding === 'base64' ? Buffer.from(body.data, 'base64') : Buffer.from(body.data);
}

function setHeader(headers: CloudFrontHeaders, name: string, value: string): void {
  headers[name] = [{ key: name, value }];
}

function tooLarge(requestId: string): CloudFrontResultResponse {
  return {
    status: '413',
    statusDescription: 'Payload Too Large',
    headers: {
      'content-type': [{ key: 'Content-Type', value: 'application/json' }],
      'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
    },
    body: edgeErrorBody({
      code: PAYLOAD_TOO_LARGE,
      message: `The request body exceeds ${EDGE_BODY_LIMIT_BYTES} bytes`,
      requestId,
      details: { maxBytes: EDGE_BODY_LIMIT_BYTES },
    }),
  };
}

export async function handler(event: CloudFrontRequestEvent): Promise<CloudFrontRequestResult> {
  const record = event.Records[0];
  if (!record) throw new Error('origin-request event without a record');
  const { request, config } = record.cf;
  if (request.body?.inputTruncated) return tooLarge(config.requestId);

  const digest = createHash('sha256').update(bodyBytes(request.body)).digest('hex');
  setHeader(request.headers, CONTENT_SHA256_HEADER, digest);

  // A viewer cannot smuggle its own copy: whatever it sent under this name is replaced.
  delete request.headers[VIEWER_AUTHORIZATION_HEADER];
  const authorization = request.headers.authorization?.[0]?.value;
  if (authorization !== undefined) {
    setHeader(request.headers, VIEWER_AUTHORIZATION_HEADER, authorization);
    delete request.headers.authorization;
  }
  // The body is read-only (the default action): CloudFront forwards the viewer's own bytes.
  return request;
}
