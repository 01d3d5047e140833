/**
 * What every request to a model provider goes through (the providers' `fetch`):
 *
 * - a **gate**: a request waits for a check its call depends on (the token budget) and is
 *   never sent if the check fails, so the check overlaps the client's work of building the
 *   request instead of preceding it;
 * - an **early request**: a call whose request is known before the code that makes it runs
 *   (a LangGraph run's first model call: its prompt is the thread's checkpoint plus the input)
 *   can be sent as soon as its gate opens, and handed to that code when it asks for the very
 *   same request (same URL, byte-identical body). The provider's time to its first token
 *   then overlaps the graph's own start. A request that differs is sent as usual, and an
 *   early one nobody took is aborted.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pacedEvents } from './paced-events.ts';

/** A request sent early, and what came of it. */
interface Sent {
  url: string;
  body: string;
  response: Promise<Response>;
}

/** What the early sender's fetch does with the request it is asked to send. */
interface Capture {
  /** Aborts the call that built the request (its reply is not read there). */
  stop: AbortController;
  record(url: string, body: string, response: Promise<Response>): void;
  /** The early request's own signal: aborted by `discard()` or by its taker's signal. */
  signal: AbortSignal;
}

interface GateStore {
  gate: Promise<unknown>;
  early?: EarlyRequest | undefined;
  capture?: Capture;
}

const gates = new AsyncLocalStorage<GateStore>();

/** One provider request that may be sent before it is asked for (see the module comment). */
export interface EarlyRequest {
  /**
   * Sends the request `build` makes, once `gate` resolves (never if it rejects): `build`
   * runs the provider client as its call would, with `signal` aborted as soon as the request
   * is on its way; whatever it then throws is ignored.
   */
  start(gate: Promise<unknown>, build: (signal: AbortSignal) => Promise<unknown>): void;
  /** The early response for this exact request, or null (then it is sent as usual). */
  take(url: string, init?: RequestInit): Promise<Response> | null;
  /** Aborts the early request unless it was taken. Returns whether one was sent and wasted. */
  discard(): boolean;
}

const urlOf = (input: string | URL | Request) =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;

export function createEarlyRequest(): EarlyRequest {
  const controller = new AbortController();
  let sent: Sent | null = null;
  let taken = false;
  return {
    start(gate, build) {
      const stop = new AbortController();
      const capture: Capture = {
        stop,
        signal: controller.signal,
        record: (url, body, response) => {
          sent = { url, body, response };
        },
      };
      gates.run({ gate, capture }, () => build(stop.signal)).catch(() => undefined);
    },
    take(url, init) {
      if (!sent || taken || controller.signal.aborted) return null;
      if (sent.url !== url || sent.body !== init?.body) return null;
      taken = true;
      const signal = init?.signal;
      if (signal) {
        if (signal.aborted) controller.abort(signal.reason);
        else
          signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
      }
      return sent.response;
    },
    discard() {
      if (taken) return false;
      controller.abort();
      return sent !== null;
    },
  };
}

/**
 * Runs `call` so that every request it sends to a provider waits for `gate` first, and is
 * never sent if `gate` rejects (the request fails with its reason). With `early`, a request
 * identical to the one sent early is answered by it.
 */
export function withRequestGate<T>(gate: Promise<unknown>, call: () => T, early?: EarlyRequest): T {
  return gates.run({ gate, early }, call);
}

/**
 * The providers' fetch: the global one (as tracing instruments it), behind the gate, with
 * event streams read one event at a time (`paced-events.ts`).
 */
export async function gatedFetch(input: string | URL | Request, init?: RequestInit) {
  const store = gates.getStore();
  if (store) await store.gate;
  const capture = store?.capture;
  if (capture && typeof init?.body === 'string') {
    // Sent now on the early request's own signal; the call that built it stops here.
    const response = globalThis.fetch(input, { ...init, signal: capture.signal }).then(pacedEvents);
    response.catch(() => undefined);
    capture.record(urlOf(input), init.body, response);
    capture.stop.abort();
    throw new DOMException('The request was sent early', 'AbortError');
  }
  const early = store?.early?.take(urlOf(input), init);
  return early ?? globalThis.fetch(input, init).then(pacedEvents);
}
