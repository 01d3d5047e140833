/**
 * A browser DOM (happy-dom) for React tests, registered for one test file and taken down
 * after it, so other files in the same `bun test` process never see it.
 */
import { GlobalRegistrator } from '@happy-dom/global-registrator';

export type Testing = typeof import('@testing-library/react/pure');

// happy-dom's own versions of these apply browser CORS rules to a page with no origin of its
// own, and Node's streams cannot read them ("transform.readable must be ReadableStream").
// Its timers die with its window, yet React's scheduler keeps the ones it found when it first
// loaded: a second file's window would never render.
const RUNTIME_GLOBALS = [
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'setImmediate',
  'clearImmediate',
  'queueMicrotask',
  'MessageChannel',
  'fetch',
  'Headers',
  'Request',
  'Response',
  'ReadableStream',
  'TransformStream',
  'TextDecoder',
  'TextDecoderStream',
  'AbortController',
  'AbortSignal',
] as const;

/**
 * Registers happy-dom's globals, keeping the runtime's networking and streams, then loads
 * React Testing Library (React DOM reads the DOM globals when it loads: only now). Call it in
 * `beforeAll`; its `pure` entry registers no hooks (call `cleanup` yourself).
 */
export async function registerDom(url = 'http://localhost:3000/'): Promise<Testing> {
  const runtime = Object.fromEntries(RUNTIME_GLOBALS.map((name) => [name, globalThis[name]]));
  GlobalRegistrator.register({ url });
  // Updates come from the network, not from anything act() could wrap.
  Object.assign(globalThis, runtime, { IS_REACT_ACT_ENVIRONMENT: false });
  return import('@testing-library/react/pure');
}

/** Unmounts what `testing` rendered and removes happy-dom's globals. Call it in `afterAll`. */
export async function unregisterDom(testing: Testing | undefined): Promise<void> {
  testing?.cleanup();
  if (GlobalRegistrator.isRegistered) await GlobalRegistrator.unregister();
}
