import { describe, expect, test } from 'bun:test';
import { createSocket } from 'node:dgram';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { services, uniqueName } from '../../../test/test-deps.ts';
import { createRedisCache } from '../cache/redis.ts';
import { createPostgresDatabase } from '../db/index.ts';
import {
  createTracing,
  noTracing,
  type Tracing,
  traced,
  tracePostgres,
  traceRedis,
} from './tracing.ts';

interface RecordedSpan {
  name: string;
  metadata?: Record<string, unknown>;
  ended: boolean;
  error?: unknown;
}

/** Tracing that keeps the subsegments it is asked to open. */
function recordingTracing(): Tracing & { spans: RecordedSpan[] } {
  const spans: RecordedSpan[] = [];
  return {
    enabled: true,
    spans,
    start(name, _annotations, metadata) {
      const span: RecordedSpan = { name, metadata, ended: false };
      spans.push(span);
      return {
        end(error) {
          span.ended = true;
          span.error = error;
        },
      };
    },
    annotate() {},
    invocation: (fn) => fn(),
  };
}

/** Tracing where every call throws. */
const brokenTracing: Tracing = {
  enabled: true,
  start() {
    throw new Error('tracer broke');
  },
  annotate() {
    throw new Error('tracer broke');
  },
  invocation() {
    throw new Error('tracer broke');
  },
};

describe('tracing', () => {
  test('traced work runs once inside a subsegment that closes, with its error when it fails', async () => {
    const tracing = recordingTracing();
    let runs = 0;
    expect(await traced(tracing, 'work', async () => ++runs)).toBe(1);
    const failure = new Error('boom');
    await expect(
      traced(tracing, 'failing', async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(tracing.spans).toEqual([
      { name: 'work', metadata: undefined, ended: true, error: undefined },
      { name: 'failing', metadata: undefined, ended: true, error: failure },
    ]);
  });

  test('a tracer that throws never fails the work, which still runs exactly once', async () => {
    let runs = 0;
    expect(await traced(brokenTracing, 'work', async () => ++runs)).toBe(1);
    expect(runs).toBe(1);
    const ending: Tracing = {
      ...recordingTracing(),
      start: () => ({
        end() {
          throw new Error('cannot close');
        },
      }),
    };
    expect(await traced(ending, 'work', async () => 'done')).toBe('done');
  });

  test('switched off, nothing is loaded and the clients are returned untouched', async () => {
    expect(await createTracing({ enabled: false, serviceName: 'api' })).toBe(noTracing);
    const client = { sendCommand: () => 'sent' };
    const original = client.sendCommand;
    traceRedis(client, noTracing);
    expect(client.sendCommand).toBe(original);
  });

  test('switched on outside Lambda, X-Ray support loads and stays inert (no segment to join)', async () => {
    const tracing = await createTracing({ enabled: true, serviceName: 'api' });
    expect(tracing).not.toBe(noTracing);
    expect(tracing.start('work')).toBeNull();
    expect(await tracing.invocation(async () => 'ran', true)).toBe('ran');
  });

  test('on Lambda, an invocation is a `## handler` subsegment holding one per traced call', async () => {
    // A Lambda container as X-Ray sees it: the facade segment comes from the trace header,
    // finished subsegments go to the daemon over UDP (here, a socket of the test's own).
    const socket = createSocket('udp4');
    const documents: Array<Record<string, unknown>> = [];
    socket.on('message', (message) => {
      const [, body] = message.toString().split('\n');
      if (body) documents.push(JSON.parse(body) as Record<string, unknown>);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const apiDir = fileURLToPath(new URL('../../../', import.meta.url));
    await mkdir(join(apiDir, 'dist'), { recursive: true });
    const dir = await mkdtemp(join(apiDir, 'dist', 'xray-'));
    const script = join(dir, 'invocation.ts');
    await writeFile(
      script,
      `import { createTracing, traced } from ${JSON.stringify(fileURLToPath(new URL('./tracing.ts', import.meta.url)))};
      const tracing = await createTracing({ enabled: true, serviceName: 'api' });
      await tracing.invocation(async () => {
        tracing.annotate('requestId', 'r-1');
        await traced(tracing, 'postgres', async () => 1);
      }, true);`,
    );
    try {
      const proc = Bun.spawn([process.execPath, script], {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
          LAMBDA_TASK_ROOT: dir,
          _X_AMZN_TRACE_ID:
            'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
          AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${socket.address().port}`,
        },
        stdout: 'pipe',
        stderr: 'pipe',
      });
      expect(await proc.exited).toBe(0);
      for (let i = 0; i < 50 && documents.length < 2; i++) await Bun.sleep(20);
    } finally {
      socket.close();
      await rm(dir, { recursive: true, force: true });
    }
    const handler = documents.find((document) => document.name === '## handler');
    const query = documents.find((document) => document.name === 'postgres');
    expect(handler).toMatchObject({
      parent_id: '53995c3f42cd8ad8',
      trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      annotations: { ColdStart: true, Service: 'api', requestId: 'r-1' },
    });
    expect(query?.parent_id).toBe(handler?.id);
    expect(typeof query?.end_time).toBe('number');
  });

  test.skipIf(!services.databaseUrl)(
    'every PostgreSQL query is a subsegment with its statement text, never its parameters',
    async () => {
      const tracing = recordingTracing();
      const database = await createPostgresDatabase({
        primary: { url: services.databaseUrl ?? '' },
        max: 1,
        prepare: false,
        tracing,
      });
      try {
        await database.db.execute(sql`select ${'param-secret-value'}::text as value`);
        await database.db.transaction(async (tx) => {
          await tx.execute(sql`select 1`);
        });
      } finally {
        await database.close();
      }
      const names = tracing.spans.map((span) => span.name);
      expect(names).toContain('postgres');
      expect(names).toContain('postgres transaction');
      expect(tracing.spans.every((span) => span.ended)).toBe(true);
      expect(String(tracing.spans[0]?.metadata?.sql)).toContain('select $1::text');
      expect(JSON.stringify(tracing.spans)).not.toContain('param-secret-value');
      // The query inside the transaction is traced too.
      expect(names.filter((name) => name === 'postgres').length).toBeGreaterThanOrEqual(2);
    },
  );

  test('a postgres.js client is traced without running its queries early or twice', async () => {
    const tracing = recordingTracing();
    let executed = 0;
    // Like postgres.js's Query: a promise whose work starts on its first `then`.
    class LazyQuery extends Promise<string[]> {
      static override get [Symbol.species]() {
        return Promise;
      }
      #settle: (rows: string[]) => void = () => {};
      #started = false;
      constructor(private readonly text: string) {
        let settle: (rows: string[]) => void = () => {};
        super((resolve) => {
          settle = resolve;
        });
        this.#settle = settle;
      }
      // biome-ignore lint/suspicious/noThenProperty: the stand-in mirrors postgres.js's Query
      override then<A = string[], B = never>(
        onFulfilled?: ((rows: string[]) => A | PromiseLike<A>) | null,
        onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
      ): Promise<A | B> {
        if (!this.#started) {
          this.#started = true;
          executed += 1;
          this.#settle([this.text]);
        }
        return super.then(onFulfilled, onRejected);
      }
    }
    const client = { unsafe: (query: string) => new LazyQuery(query) };
    const traced = tracePostgres(client as never, tracing) as unknown as typeof client;
    const pending = traced.unsafe('select 1');
    expect(tracing.spans.map((span) => span.name)).toEqual(['postgres']);
    expect(executed).toBe(0);
    expect(await pending).toEqual(['select 1']);
    expect(executed).toBe(1);
    expect(tracing.spans[0]?.ended).toBe(true);
  });

  test.skipIf(!services.redisUrl)(
    'every Redis command is a subsegment, closed with its error when it fails',
    async () => {
      const tracing = recordingTracing();
      const cache = createRedisCache({
        url: services.redisUrl ?? '',
        prefix: `${uniqueName('trace')}:`,
        tracing,
      });
      try {
        await cache.set('k', 'v', 60);
        expect(await cache.get('k')).toBe('v');
        await expect(cache.client?.call('no-such-command')).rejects.toThrow();
        await cache.delete('k');
      } finally {
        await cache.close();
      }
      const names = tracing.spans.map((span) => span.name);
      expect(names).toContain('redis set');
      expect(names).toContain('redis get');
      const failed = tracing.spans.find((span) => span.name === 'redis no-such-command');
      expect(failed?.error).toBeInstanceOf(Error);
      await Bun.sleep(0);
      expect(tracing.spans.every((span) => span.ended)).toBe(true);
    },
  );
});
