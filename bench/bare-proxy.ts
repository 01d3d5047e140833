/**
 * The floor of an SSE relay on this runtime: a bare Bun server that forwards each POST to the
 * model server and streams its answer back, with no framework, database or parsing
 * (`bench/langgraph.ts` times it beside the full stack). Prints `READY` when it listens.
 *
 *   bun bench/bare-proxy.ts <port> <openai base url>
 */
const [portText = '3213', upstream = ''] = process.argv.slice(2);
const server = Bun.serve({
  port: Number(portText),
  idleTimeout: 120,
  async fetch(request) {
    const answer = await fetch(`${upstream}/chat/completions`, {
      method: 'POST',
      headers: request.headers,
      body: await request.text(),
    });
    return new Response(answer.body, {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
    });
  },
});
process.once('SIGTERM', async () => {
  await server.stop(true);
  process.exit(0);
});
process.stdout.write('READY\n');
