// A stand-in for the Lambda Node.js runtime invoking an SQS-triggered function, run under plain
// Node: `node worker-runtime.mjs <bundle.mjs>` reads a JSON array of SQS events on stdin,
// invokes the bundle's `handler(event, context)` for each in turn (one warm container) with a
// context whose remaining time counts down from 60 s, and prints a JSON array of the handler's
// answers on stdout after every line the function itself wrote there and a marker line.
import { pathToFileURL } from 'node:url';

const [bundle] = process.argv.slice(2);
const events = JSON.parse(await new Response(process.stdin).text());
const { handler } = await import(pathToFileURL(bundle).href);
if (typeof handler !== 'function') throw new Error('the bundle exports no handler');

const results = [];
for (const event of events) {
  const deadline = Date.now() + 60_000;
  const context = {
    awsRequestId: `req-${results.length}`,
    functionName: 'worker',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  results.push(await handler(event, context));
}
process.stdout.write(`\n@@lambda-runtime-results@@\n${JSON.stringify({ results })}`, () =>
  process.exit(0),
);
