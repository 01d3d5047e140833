// A stand-in for the Lambda Node.js runtime's response streaming, run under plain Node:
// `node lambda-runtime.mjs <bundle.mjs>` reads a JSON array of events on stdin, invokes
// the bundle's `handler` for each as the runtime does, and prints a JSON array of
// { statusCode, headers, cookies, body, chunks } on stdout, after every line the function
// itself wrote there and a marker line. An event may carry
// `cookiesFrom: n` to send the cookies that the n-th response set.
//
// Like the real runtime, `awslambda` is a global that exists before the bundle loads
// (lambda-globals.mjs).
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { STREAMING } from './lambda-globals.mjs';

const [bundle] = process.argv.slice(2);
const events = JSON.parse(await new Response(process.stdin).text());
const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const initMs = performance.now() - started;
if (handler[STREAMING] !== 'response') throw new Error('handler is not response-streaming');

const results = [];
for (const step of events) {
  // `cookiesFrom: n` sends the cookies result n set, as a browser would.
  const { cookiesFrom, ...event } = step;
  if (cookiesFrom !== undefined) {
    event.cookies = results[cookiesFrom].cookies.map((cookie) => cookie.split(';')[0]);
  }
  const chunks = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  const finished = new Promise((resolve) => stream.on('finish', resolve));
  const context = { awsRequestId: `req-${results.length}`, functionName: 'api' };
  await handler(event, stream, context);
  await finished;
  const all = Buffer.concat(chunks);
  const delimiter = all.indexOf(Buffer.alloc(8));
  const prelude = JSON.parse(all.subarray(0, delimiter).toString('utf8'));
  const body = all.subarray(delimiter + 8).toString('utf8');
  // Writes after the prelude: more than one means the body was streamed, not buffered.
  results.push({ ...prelude, body, chunks: chunks.length - 2 });
}
// The function writes its own lines (logs, metrics) to stdout too: the results come last,
// after a marker line.
// Exit once stdout has taken every byte: a pipe may accept a large body only in parts.
process.stdout.write(`\n@@lambda-runtime-results@@\n${JSON.stringify({ initMs, results })}`, () =>
  process.exit(0),
);
