// Prints how long importing a Lambda bundle takes in this fresh Node process, in ms.
// `awslambda` is defined first, as the Lambda runtime does before loading a handler.
import { pathToFileURL } from 'node:url';

globalThis.awslambda = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: { from: (stream) => stream },
};
const started = performance.now();
await import(pathToFileURL(process.argv[2]).href);
process.stdout.write(String(performance.now() - started));
process.exit(0);
