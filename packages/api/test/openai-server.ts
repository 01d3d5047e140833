/**
 * An OpenAI-compatible server on 127.0.0.1 for tests and benchmarks: the real
 * `@langchain/openai` client talks to it over HTTP. It answers `POST /v1/chat/completions`
 * (JSON or SSE streaming, text or tool calls, usage fields), `POST /v1/embeddings` (float or
 * base64 vectors, any `dimensions`, usage fields) and `POST /v1/moderations`, from a script of
 * replies, and keeps every request it received. Over 400 lines on purpose: each endpoint
 * speaks OpenAI's wire format in full (the client under test parses all of it).
 *
 *   const server = await startOpenAiServer();
 *   server.script({ content: 'Hello there', usage: { prompt: 12, completion: 2 } });
 *   // OPENAI_BASE_URL=server.url, OPENAI_API_KEY=server.apiKey
 *   server.requests[0].body.messages  // what the client sent
 *
 * With the script empty it echoes: `echo: <last user message>`. Embeddings are hashed words,
 * L2-normalised: texts that share words are close; `scriptEmbeddings` queues failures.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedToolCall {
  name: string;
  /** An object (sent as JSON) or the raw arguments string. */
  arguments: Record<string, unknown> | string;
  id?: string;
}

export interface ScriptedReply {
  /** The reply's text. @default '' with tool calls, else the echo */
  content?: string;
  toolCalls?: ScriptedToolCall[];
  /** Token counts to report; `null`: no usage field. @default counted words */
  usage?: { prompt: number; completion: number } | null;
  /** Answer this HTTP status with an OpenAI error body instead. */
  status?: number;
  /** Wait this long before answering anything (headers included). */
  delayMs?: number;
  /** Streaming: the wait before the first content chunk. @default 0 */
  firstTokenDelayMs?: number;
  /** Streaming: the wait between two chunks. @default 0 */
  tokenDelayMs?: number;
  /** Streaming: chunks of the content. @default words with their leading space */
  chunks?: string[];
  /** Streaming: drop the connection after this many content chunks. */
  failAfterChunks?: number;
}

export interface ScriptedEmbeddingReply {
  /** Answer this HTTP status with an OpenAI error body instead. */
  status?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer vectors of this width, whatever the request asked. */
  dimensions?: number;
}

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: {
    model?: string;
    stream?: boolean;
    messages?: Array<{
      role: string;
      content: unknown;
      tool_calls?: unknown;
      tool_call_id?: string;
    }>;
    tools?: Array<{ type: string; function: { name: string } }>;
    input?: unknown;
    [key: string]: unknown;
  };
}

export interface OpenAiTestServer {
  /** The base URL to give the client (`OPENAI_BASE_URL`), ending in /v1. */
  url: string;
  /** The key the server expects. */
  apiKey: string;
  /** Every request received, oldest first. */
  requests: ReceivedRequest[];
  /** Queues replies for the next chat completion requests, in order. */
  script(...replies: ScriptedReply[]): void;
  /** Queues replies for the next embedding requests, in order. */
  scriptEmbeddings(...replies: ScriptedEmbeddingReply[]): void;
  /** Texts embedded, over all embedding requests. */
  readonly embeddedInputs: number;
  /** Streams whose client went away before the last chunk. */
  readonly abortedStreams: number;
  /** Content chunks written in all streams. */
  readonly chunksSent: number;
  /** Words the moderation endpoint flags. */
  flagWords: string[];
  /** Forgets requests and the script. */
  reset(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const words = (text: string) => text.match(/\s*\S+/g) ?? [];

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

/** The server's embedding of `text`: hashed words, L2-normalised. */
export function testEmbedding(text: string, dimensions = 1536): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const [word] of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    let hash = 2166136261;
    for (let i = 0; i < word.length; i += 1) hash = Math.imul(hash ^ word.charCodeAt(i), 16777619);
    const index = (hash >>> 0) % dimensions;
    vector[index] = (vector[index] ?? 0) + 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

async function readBody(req: IncomingMessage): Promise<ReceivedRequest['body']> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  return text ? JSON.parse(text) : {};
}

export async function startOpenAiServer(
  options: { apiKey?: string } = {},
): Promise<OpenAiTestServer> {
  const apiKey = options.apiKey ?? 'sk-test-local';
  const requests: ReceivedRequest[] = [];
  let queue: ScriptedReply[] = [];
  let embeddingQueue: ScriptedEmbeddingReply[] = [];
  let embeddedInputs = 0;
  let abortedStreams = 0;
  let chunksSent = 0;
  let calls = 0;
  const sockets = new Set<import('node:net').Socket>();

  const state = {
    flagWords: [] as string[],
  };

  function json(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async function chatCompletion(res: ServerResponse, body: ReceivedRequest['body']) {
    calls += 1;
    const reply = queue.shift() ?? {};
    const messages = body.messages ?? [];
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
      id: call.id ?? `call_test_${calls}_${index}`,
      name: call.name,
      arguments:
        typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    }));
    const content = reply.content ?? (toolCalls.length ? '' : `echo: ${textOf(lastUser?.content)}`);
    const promptWords = messages.reduce((sum, m) => sum + words(textOf(m.content)).length + 1, 0);
    const usage =
      reply.usage === null
        ? undefined
        : {
            prompt_tokens: reply.usage?.prompt ?? promptWords,
            completion_tokens: reply.usage?.completion ?? Math.max(1, words(content).length),
            total_tokens:
              (reply.usage?.prompt ?? promptWords) +
              (reply.usage?.completion ?? Math.max(1, words(content).length)),
          };
    const model = body.model ?? 'test-model';
    const id = `chatcmpl-test-${calls}`;
    const created = Math.floor(Date.now() / 1000);
    const finishReason = toolCalls.length ? 'tool_calls' : 'stop';

    // The client may leave at any point (a timeout, a disconnect): nothing is written then.
    let gone = false;
    res.on('close', () => {
      if (res.writableFinished) return;
      gone = true;
      if (body.stream) abortedStreams += 1;
    });
    if (reply.delayMs) await sleep(reply.delayMs);
    if (gone) return;
    if (reply.status) {
      json(res, reply.status, {
        error: { message: `scripted failure ${reply.status}`, type: 'server_error', code: null },
      });
      return;
    }

    if (!body.stream) {
      json(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: toolCalls.length && !content ? null : content,
              ...(toolCalls.length
                ? {
                    tool_calls: toolCalls.map((call) => ({
                      id: call.id,
                      type: 'function',
                      function: { name: call.name, arguments: call.arguments },
                    })),
                  }
                : {}),
            },
            finish_reason: finishReason,
          },
        ],
        ...(usage ? { usage } : {}),
      });
      return;
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const send = (delta: Record<string, unknown>, finish: string | null = null) =>
      res.write(
        `data: ${JSON.stringify({
          id,
          object: 'chat.completion.chunk',
          created,
          model,
          choices: [{ index: 0, delta, finish_reason: finish }],
        })}\n\n`,
      );
    send({ role: 'assistant', content: '' });
    if (reply.firstTokenDelayMs) await sleep(reply.firstTokenDelayMs);
    const pieces = reply.chunks ?? words(content);
    for (const [index, piece] of pieces.entries()) {
      if (gone) return;
      if (reply.failAfterChunks !== undefined && index >= reply.failAfterChunks) {
        res.destroy();
        return;
      }
      if (index > 0 && reply.tokenDelayMs) await sleep(reply.tokenDelayMs);
      if (gone) return;
      send({ content: piece });
      chunksSent += 1;
    }
    for (const [index, call] of toolCalls.entries()) {
      send({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
        ],
      });
      send({ tool_calls: [{ index, function: { arguments: call.arguments } }] });
    }
    if (gone) return;
    send({}, finishReason);
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)
      ?.include_usage;
    if (usage && includeUsage) {
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`,
      );
    }
    res.end('data: [DONE]\n\n');
  }

  async function embeddings(res: ServerResponse, body: ReceivedRequest['body']) {
    const reply = embeddingQueue.shift() ?? {};
    if (reply.delayMs) await sleep(reply.delayMs);
    if (reply.status) {
      json(res, reply.status, {
        error: { message: `scripted failure ${reply.status}`, type: 'server_error', code: null },
      });
      return;
    }
    const inputs = (Array.isArray(body.input) ? body.input : [body.input]).map(String);
    embeddedInputs += inputs.length;
    const dimensions =
      reply.dimensions ?? (typeof body.dimensions === 'number' ? body.dimensions : 1536);
    const base64 = body.encoding_format === 'base64';
    json(res, 200, {
      object: 'list',
      model: body.model ?? 'text-embedding-test',
      data: inputs.map((input, index) => {
        const vector = testEmbedding(input, dimensions);
        return {
          object: 'embedding',
          index,
          embedding: base64
            ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
            : vector,
        };
      }),
      usage: {
        prompt_tokens: inputs.reduce((sum, input) => sum + words(input).length, 0),
        total_tokens: inputs.reduce((sum, input) => sum + words(input).length, 0),
      },
    });
  }

  function moderation(res: ServerResponse, body: ReceivedRequest['body']) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    json(res, 200, {
      id: 'modr-test',
      model: body.model ?? 'omni-moderation-latest',
      results: inputs.map((input) => {
        const text = String(input ?? '').toLowerCase();
        const flagged = state.flagWords.some((word) => text.includes(word.toLowerCase()));
        return { flagged, categories: { harassment: flagged }, category_scores: {} };
      }),
    });
  }

  const server = createServer(async (req, res) => {
    try {
      const body = req.method === 'POST' ? await readBody(req) : {};
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      requests.push({ path, headers: req.headers, body });
      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        json(res, 401, { error: { message: 'Incorrect API key', type: 'invalid_request_error' } });
        return;
      }
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        await chatCompletion(res, body);
        return;
      }
      if (req.method === 'POST' && path === '/v1/embeddings') {
        await embeddings(res, body);
        return;
      }
      if (req.method === 'POST' && path === '/v1/moderations') {
        moderation(res, body);
        return;
      }
      json(res, 404, { error: { message: `No route ${req.method} ${path}`, type: 'not_found' } });
    } catch (error) {
      if (!res.headersSent)
        json(res, 500, { error: { message: String(error), type: 'server_error' } });
      else res.destroy();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    script(...replies) {
      queue.push(...replies);
    },
    scriptEmbeddings(...replies) {
      embeddingQueue.push(...replies);
    },
    get embeddedInputs() {
      return embeddedInputs;
    },
    get abortedStreams() {
      return abortedStreams;
    },
    get chunksSent() {
      return chunksSent;
    },
    get flagWords() {
      return state.flagWords;
    },
    set flagWords(value: string[]) {
      state.flagWords = value;
    },
    reset() {
      requests.length = 0;
      queue = [];
      embeddingQueue = [];
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The environment that points an app at `server`: its key and URL, the `gpt-test` model (or
 * `models`), and no client-side retries, so a scripted failure is seen once.
 */
export const openAiTestEnv = (
  server: Pick<OpenAiTestServer, 'apiKey' | 'url'>,
  extra: Record<string, string> = {},
): Record<string, string> => ({
  OPENAI_API_KEY: server.apiKey,
  OPENAI_BASE_URL: server.url,
  AI_MODELS: 'gpt-test',
  OPENAI_MAX_RETRIES: '0',
  ...extra,
});
