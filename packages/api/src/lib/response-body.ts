/**
 * The body a response was built from, for the middleware that must read it (the ETag's hash,
 * compression). Reading a Response's body back (`res.text()`, `res.arrayBuffer()`) goes
 * through web streams and, under @hono/node-server, turns its lightweight Response into a
 * full one and sends it down its slow path. A body remembered here is read for free; a
 * response with none falls back to reading the body, with the same result.
 */
import type { Context } from 'hono';

type Body = string | Uint8Array<ArrayBuffer>;

type BodyRespond = (
  data: string,
  arg?: unknown,
  headers?: Record<string, string | string[]>,
) => Response;

const bodies = new WeakMap<Response, Body>();

/** Records that `response` was built from `body` (which must not be changed afterwards). */
export function rememberBody<R extends Response>(response: R, body: Body): R {
  bodies.set(response, body);
  return response;
}

/** The body `response` was built from, or undefined when it was not recorded. */
export function rememberedBody(response: Response): Body | undefined {
  return bodies.get(response);
}

/**
 * Makes `c.json()` record the JSON text of the responses it builds, for this request only.
 * Same response as Hono's own `c.json` (the body through `c.body`, JSON's Content-Type
 * unless the caller set one).
 */
export function recordJsonBodies(c: Context): void {
  const body = c.body as unknown as BodyRespond;
  const json = (object: unknown, arg?: unknown, headers?: Record<string, string | string[]>) => {
    const text = JSON.stringify(object);
    const response = body(text, arg, {
      'Content-Type': 'application/json',
      ...headers,
    });
    // A value JSON cannot express leaves the body undefined, as Hono's own json would.
    return text === undefined ? response : rememberBody(response, text);
  };
  c.json = json as unknown as Context['json'];
}
