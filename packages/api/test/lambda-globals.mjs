// What the Lambda Node.js runtime provides before a response-streaming handler loads: the
// `awslambda` global. `HttpResponseStream.from` writes the JSON prelude and eight NUL bytes
// before the body, as the runtime does.
export const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

/** The bytes between the prelude and the body. */
export const PRELUDE_DELIMITER = new Uint8Array(8);

globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = 'response';
    return handler;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.write(JSON.stringify(prelude));
      stream.write(PRELUDE_DELIMITER);
      return stream;
    },
  },
};
