/**
 * The CloudFormation custom-resource protocol, without the CDK provider framework: the
 * handler PUTs its result to the pre-signed `ResponseURL`. Every path answers, so a
 * failure fails the deployment instead of leaving CloudFormation waiting for an hour.
 */
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';

export type ResponseStatus = 'SUCCESS' | 'FAILED';

export interface CfnResponse {
  readonly Status: ResponseStatus;
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Readonly<Record<string, string | number | boolean>>;
}

/** Delivers a response to CloudFormation. */
export type ResponseSender = (responseUrl: string, response: CfnResponse) => Promise<void>;

/** PUTs the response JSON to the pre-signed S3 URL (no content type: it is not signed). */
export const sendCfnResponse: ResponseSender = async (responseUrl, response) => {
  const body = JSON.stringify(response);
  const result = await fetch(responseUrl, {
    method: 'PUT',
    body,
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) },
  });
  if (!result.ok) {
    throw new Error(`CloudFormation response rejected: HTTP ${result.status}`);
  }
};

/** What a resource's work returns on success. */
export interface WorkResult {
  readonly data?: Readonly<Record<string, string | number | boolean>>;
}

export interface CustomResourceHandlerOptions {
  /** Stable id: updates keep the same physical resource, so CloudFormation never deletes it. */
  readonly physicalResourceId: string;
  /** Runs on Create and Update. Throwing answers FAILED. */
  readonly onCreateOrUpdate: (event: CloudFormationCustomResourceEvent) => Promise<WorkResult>;
  /** Runs on Delete. @default - nothing (data is never undone on delete) */
  readonly onDelete?: (event: CloudFormationCustomResourceEvent) => Promise<void>;
  /** @default sendCfnResponse */
  readonly sendResponse?: ResponseSender;
  /** Answer FAILED this long before the Lambda timeout. @default 5000 */
  readonly timeoutMarginMs?: number;
}

export type CustomResourceHandler = (
  event: CloudFormationCustomResourceEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<CfnResponse>;

const MAX_REASON = 3500;

/** The error's message and its causes (drizzle wraps the database error as `cause`). */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error; current !== undefined && parts.length < 4; ) {
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ');
}

/** Builds a Lambda handler that does the work and always answers CloudFormation once. */
export function createCustomResourceHandler(
  options: CustomResourceHandlerOptions,
): CustomResourceHandler {
  const send = options.sendResponse ?? sendCfnResponse;
  const margin = options.timeoutMarginMs ?? 5000;

  return async function customResourceHandler(event, context) {
    const base = {
      PhysicalResourceId:
        event.RequestType === 'Create' ? options.physicalResourceId : event.PhysicalResourceId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const work = (async (): Promise<CfnResponse> => {
      try {
        if (event.RequestType === 'Delete') {
          await options.onDelete?.(event);
          return { ...base, Status: 'SUCCESS' };
        }
        const result = await options.onCreateOrUpdate(event);
        return { ...base, Status: 'SUCCESS', ...(result.data ? { Data: result.data } : {}) };
      } catch (error) {
        const message = describeError(error);
        console.error(
          JSON.stringify({ level: 'error', message: 'custom resource failed', error: message }),
        );
        return { ...base, Status: 'FAILED', Reason: message.slice(0, MAX_REASON) };
      }
    })();
    const remaining = context?.getRemainingTimeInMillis();
    const deadline =
      remaining === undefined
        ? undefined
        : new Promise<CfnResponse>((resolve) => {
            timer = setTimeout(
              () => resolve({ ...base, Status: 'FAILED', Reason: 'Timed out before finishing' }),
              Math.max(0, remaining - margin),
            );
          });
    const response = await (deadline ? Promise.race([work, deadline]) : work);
    if (timer) clearTimeout(timer);
    await send(event.ResponseURL, response);
    return response;
  };
}

/**
 * A Lambda entry whose handler (and the configuration it reads from its environment) is
 * built on first use, inside the error handling: a build that throws answers FAILED at once
 * for Create and Update instead of leaving CloudFormation waiting. A Delete still succeeds
 * (these resources undo nothing on delete), so a stack whose handler cannot start can roll
 * back and be deleted.
 */
export function lazyCustomResourceHandler(
  physicalResourceId: string,
  build: () => CustomResourceHandler,
  sendResponse: ResponseSender = sendCfnResponse,
): CustomResourceHandler {
  let built: CustomResourceHandler | undefined;
  return async function lazyHandler(event, context) {
    if (!built) {
      try {
        built = build();
      } catch (error) {
        const failing = createCustomResourceHandler({
          physicalResourceId,
          sendResponse,
          onCreateOrUpdate: async () => {
            throw error;
          },
        });
        return failing(event, context);
      }
    }
    return built(event, context);
  };
}
