/**
 * How the OpenAPI document describes a Server-Sent Events response: the `text/event-stream`
 * media type's `schema` is the union of the stream's events, each an object naming the event
 * (`event`, the SSE `event:` field) and its payload (`data`, the JSON of the SSE `data:`
 * field). Generators (openapi-typescript) turn it into a discriminated union a client can
 * switch on; Scalar shows each event's payload. The same schema checks every event the
 * reliability suites read from a stream.
 *
 * Every stream (lib/sse.ts) may send `error` (the one error shape) and ends with `end`; after
 * an error, `end`'s data may be `{ "status": "failed" }`.
 */

import { z } from '@hono/zod-openapi';
import { errorSchema } from './errors.ts';
import { FAILED_END } from './sse.ts';
import { withOpenApi } from './zod-openapi.ts';

withOpenApi(); // before any `.openapi()` below: see lib/zod-openapi.ts

/** One event: its name and its payload. */
export const sseEvent = <const N extends string, T extends z.ZodType>(name: N, data: T) =>
  z.object({ event: z.literal(name), data });

const failedEndSchema = z
  .object({ status: z.literal(FAILED_END.status) })
  .openapi('SseFailedEnd', { description: 'The `end` data after an `error` event.' });

/** The `error` event every stream may send. */
export const errorEvent = sseEvent('error', errorSchema);

/** The `end` event: `data` on success, `{ "status": "failed" }` after an error. */
export const endEvent = <T extends z.ZodType>(data: T) =>
  sseEvent('end', z.union([data, failedEndSchema]));

/**
 * The `text/event-stream` content of an operation: the union of `events`, named `name` among
 * the document's schemas.
 */
export function eventStreamContent(
  name: string,
  description: string,
  events: readonly [z.ZodType, z.ZodType, ...z.ZodType[]],
) {
  return {
    'text/event-stream': {
      schema: z.union(events).openapi(name, {
        description: `${description} Each item is one Server-Sent Event: \`event\` is its \`event:\` field, \`data\` the JSON of its \`data:\` field.`,
      }),
    },
  };
}

/** Whether the request asks for an event stream (`Accept: text/event-stream`). */
export const acceptsEventStream = (accept: string | undefined) =>
  /(^|[\s,])text\/event-stream(\s*;|\s*,|\s*$)/i.test(accept ?? '');
