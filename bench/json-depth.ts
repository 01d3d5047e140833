/**
 * How long one deeply nested JSON body blocks the event loop. Posts a body of `depth` levels
 * of `[` (about 2 bytes a level) to `POST /api/auth/sign-in/email` on the full app (embedded
 * defaults) while a 1 ms interval timer records the longest gap between its ticks: the time
 * nothing else (a `/health`, another request) could have run.
 *
 *   bun bench/json-depth.ts [depth=20000] [path=/api/auth/sign-in/email]
 */
import { createApp } from '../packages/api/src/app.ts';
import { createTestDeps } from '../packages/api/test/test-deps.ts';

const depth = Number(process.argv[2] ?? 20_000);
const path = process.argv[3] ?? '/api/auth/sign-in/email';

const deps = await createTestDeps();
const app = createApp(deps);

let last = performance.now();
let longestGapMs = 0;
const timer = setInterval(() => {
  const now = performance.now();
  longestGapMs = Math.max(longestGapMs, now - last);
  last = now;
}, 1);

const started = performance.now();
const response = await app.request(path, {
  method: 'POST',
  headers: { 'content-type': 'application/json', origin: new URL(deps.env.PUBLIC_URL).origin },
  body: `${'['.repeat(depth)}${']'.repeat(depth)}`,
});
const totalMs = performance.now() - started;
await new Promise((resolve) => setTimeout(resolve, 5));
clearInterval(timer);

console.log(
  JSON.stringify({
    path,
    depth,
    status: response.status,
    totalMs: Math.round(totalMs * 10) / 10,
    longestEventLoopBlockMs: Math.round(longestGapMs * 10) / 10,
  }),
);
await deps.close();
