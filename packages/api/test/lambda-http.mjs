// The bundled handler behind a local HTTP server, run under plain Node, as a Function URL
// fronts it: `node lambda-http.mjs <bundle.mjs>` reads a Function URL event on stdin (the
// template every request's event is made from), listens on 127.0.0.1 on a free port and
// writes `@@lambda-http-listening@@ <port>` on stdout. Each request becomes one invocation
// (lambda-globals.mjs stands in for the runtime); the response is written as the handler
// streams it: status, headers and every Set-Cookie from its prelude, then the body's writes.
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { PRELUDE_DELIMITER, STREAMING } from './lambda-globals.mjs';

const [bundle] = process.argv.slice(2);
const template = JSON.parse(await new Response(process.stdin).text());
const { handler } = await import(pathToFileURL(bundle).href);
if (handler[STREAMING] !== 'response') throw new Error('handler is not response-streaming');

// Function URLs pass text bodies as they are and anything else in base64.
const TEXT_BODY = /^(?:text\/|application\/(?:json|x-www-form-urlencoded))/;

/** The Function URL event for `request`, whose body is `body`. */
function eventOf(request, body) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers = {};
  let cookies = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'cookie') cookies = String(value).split(/;\s*/);
    else headers[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  const text = body.length === 0 || TEXT_BODY.test(headers['content-type'] ?? '');
  return {
    ...template,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    queryStringParameters: Object.fromEntries(url.searchParams),
    // The Function URL's own host, as the function sees it behind CloudFront.
    headers: { ...headers, host: template.headers.host },
    cookies,
    requestContext: {
      ...template.requestContext,
      http: { ...template.requestContext.http, method: request.method, path: url.pathname },
    },
    body: text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !text,
  };
}

/** A response stream as the runtime gives the handler, writing through to `response`. */
function responseStream(response) {
  let prelude = Buffer.alloc(0);
  let started = false;
  const send = (chunk) => {
    // A client that went away: the rest is dropped, as the runtime drops it.
    if (!response.destroyed) response.write(chunk);
  };
  return new Writable({
    write(chunk, _encoding, callback) {
      if (started) {
        send(chunk);
        return callback();
      }
      prelude = Buffer.concat([prelude, Buffer.from(chunk)]);
      const at = prelude.indexOf(PRELUDE_DELIMITER);
      if (at >= 0) {
        const { statusCode, headers, cookies } = JSON.parse(prelude.subarray(0, at).toString());
        response.writeHead(statusCode, { ...headers, 'set-cookie': cookies ?? [] });
        // Headers now, not with the first body write: an idle stream is still a response.
        response.flushHeaders();
        started = true;
        const rest = prelude.subarray(at + PRELUDE_DELIMITER.length);
        if (rest.length > 0) send(rest);
      }
      callback();
    },
    final(callback) {
      if (!started) response.writeHead(502);
      response.end();
      callback();
    },
  });
}

let invocations = 0;
const server = createServer(async (request, response) => {
  const parts = [];
  for await (const part of request) parts.push(part);
  const event = eventOf(request, Buffer.concat(parts));
  const context = {
    awsRequestId: `req-${invocations++}`,
    functionName: 'api',
    getRemainingTimeInMillis: () => 900_000,
  };
  await handler(event, responseStream(response), context);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`\n@@lambda-http-listening@@ ${server.address().port}\n`);
});
