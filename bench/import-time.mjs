// Prints how long importing a Lambda bundle takes in this fresh Node process, in ms.
// `awslambda` is defined first, as the Lambda runtime does before loading a handler.
//
//   node import-time.mjs <index.mjs>            prints { ms, cpuMs } as JSON: wall time, and
//                                               the CPU time the process spent meanwhile
//                                               (steadier on a busy machine)
//   node import-time.mjs <index.mjs> --loaded   prints the file URLs of every module the
//                                               import loaded, as JSON (slower: not timed)
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';

// Module loader hooks (they run on a thread of their own): record every URL loaded and
// answer the list when asked.
const RECORD_LOADS = `
const urls = [];
export function initialize({ port }) {
  port.on('message', () => port.postMessage(urls));
}
export async function load(url, context, nextLoad) {
  urls.push(url);
  return nextLoad(url, context);
}`;

const [bundle, mode] = process.argv.slice(2);
let loads;
if (mode === '--loaded') {
  const { port1, port2 } = new MessageChannel();
  register(`data:text/javascript,${encodeURIComponent(RECORD_LOADS)}`, {
    data: { port: port2 },
    transferList: [port2],
  });
  loads = port1;
}

globalThis.awslambda = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: { from: (stream) => stream },
};
const cpu = process.cpuUsage();
const started = performance.now();
await import(pathToFileURL(bundle).href);
const ms = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
if (loads) {
  loads.postMessage('list');
  const urls = await new Promise((resolve) => loads.once('message', resolve));
  // Exit once stdout has taken every byte: a pipe may accept a long list only in parts.
  process.stdout.write(JSON.stringify(urls), () => process.exit(0));
} else {
  const timing = { ms, cpuMs: (user + system) / 1000 };
  process.stdout.write(JSON.stringify(timing), () => process.exit(0));
}
