// Runs a Lambda bundle's response-streaming `handler` in this Node process as the runtime
// does (`awslambda` defined before the import, a Writable for the response stream), for
// bench/lambda-path.ts and bench/cold-start.ts.
//
//   node lambda-invoke.mjs <index.mjs> <events.json> <warm-up> <measured>
//     invokes the first event warm-up times, then each event of the file in turn `measured`
//     times in all, and prints { cpuUsPerInvocation, statuses } as JSON on stderr
//   node lambda-invoke.mjs <index.mjs> <events.json> 0 1
//     a cold start: import, answer the first event, print { status, rssKiB, cpuMs } (peak
//     memory, and the process's CPU time from its start) and exit
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

globalThis.awslambda = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: {
    from(stream, prelude) {
      stream.write(JSON.stringify(prelude));
      stream.write(new Uint8Array(8));
      return stream;
    },
  },
};

const [bundle, eventsFile, warmUp, measured] = process.argv.slice(2);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const { handler } = await import(pathToFileURL(bundle).href);

/**
 * This process's peak RSS. On Linux, from VmHWM: `getrusage`'s maxRSS survives `exec`, so a
 * child spawned by a large parent reports the parent's size when that is the larger.
 */
function peakRssKiB() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
}

let invocation = 0;
/** One invocation; resolves to the status code the prelude carried. */
async function invoke(event) {
  const chunks = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  const finished = new Promise((resolve) => stream.on('finish', resolve));
  await handler(event, stream, {
    awsRequestId: `bench-${invocation++}`,
    functionName: 'api',
    getRemainingTimeInMillis: () => 30_000,
  });
  await finished;
  const all = Buffer.concat(chunks);
  const prelude = all.subarray(0, all.indexOf(Buffer.alloc(8)));
  return JSON.parse(prelude.toString('utf8')).statusCode;
}

if (Number(measured) === 1 && Number(warmUp) === 0) {
  const status = await invoke(events[0]);
  const { user, system } = process.cpuUsage();
  const rssKiB = peakRssKiB();
  process.stderr.write(JSON.stringify({ status, rssKiB, cpuMs: (user + system) / 1000 }));
  process.exit(0);
}
for (let i = 0; i < Number(warmUp); i++) await invoke(events[0]);
const statuses = {};
const start = process.cpuUsage();
for (let i = 0; i < Number(measured); i++) {
  const status = await invoke(events[i % events.length]);
  statuses[status] = (statuses[status] ?? 0) + 1;
}
const used = process.cpuUsage(start);
process.stderr.write(
  JSON.stringify({ cpuUsPerInvocation: (used.user + used.system) / Number(measured), statuses }),
);
process.exit(0);
