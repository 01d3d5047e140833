/**
 * Services the outage suites start and stop themselves, on ports of their own: a Redis
 * server, and a TCP proxy in front of PostgreSQL that can be cut and restored.
 */
import type { Socket, TCPSocketListener } from 'bun';

/** A TCP port nothing listens on right now. */
export function freePort(): number {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}

/** Resolves once `check` returns true; rejects after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  what = 'condition',
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve(check()).catch(() => false)) return;
    await Bun.sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Whether something accepts TCP connections on `port`. */
export async function listening(port: number): Promise<boolean> {
  try {
    const socket = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

export const redisServerAvailable = () => Bun.which('redis-server') !== null;

export interface RedisProcess {
  port: number;
  url: string;
  /** Kills the server (SIGKILL: no goodbye to its clients). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/** A throwaway Redis server: no persistence, its own port, killed by the test. */
export async function startRedis(port = freePort()): Promise<RedisProcess> {
  let child: ReturnType<typeof Bun.spawn> | undefined;
  const start = async () => {
    child = Bun.spawn(
      [
        'redis-server',
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdout: 'ignore', stderr: 'ignore' },
    );
    await waitFor(() => listening(port), 10_000, `redis-server on ${port}`);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      child?.kill('SIGKILL');
      await child?.exited;
      child = undefined;
    },
    start,
  };
}

export interface TcpProxy {
  port: number;
  /** Closes the listener and every open connection: the target looks unreachable. */
  cut(): void;
  /** Listens again on the same port. */
  restore(): void;
}

interface Pair {
  upstream?: Socket<unknown>;
  pending: Uint8Array[];
}

export interface TcpProxyOptions {
  port?: number;
  /** Drops the connection, both ends at once, when the client sends a chunk this matches. */
  dropWhen?: (chunk: Uint8Array) => boolean;
}

/** A TCP proxy on a port of its own in front of `target`, for tests that cut a dependency off. */
export function startTcpProxy(
  target: { hostname: string; port: number },
  options: TcpProxyOptions = {},
): TcpProxy {
  const { port = freePort(), dropWhen } = options;
  const open = new Set<Socket<Pair>>();
  let listener: TCPSocketListener<Pair> | undefined;
  const listen = () => {
    listener = Bun.listen<Pair>({
      hostname: '127.0.0.1',
      port,
      socket: {
        open(client) {
          client.data = { pending: [] };
          open.add(client);
          Bun.connect({
            ...target,
            socket: {
              data(_, chunk) {
                client.write(chunk);
              },
              close() {
                client.end();
              },
              error() {
                client.end();
              },
            },
          })
            .then((upstream) => {
              client.data.upstream = upstream;
              for (const chunk of client.data.pending) upstream.write(chunk);
              client.data.pending = [];
            })
            .catch(() => client.end());
        },
        data(client, chunk) {
          if (dropWhen?.(chunk)) {
            client.data.upstream?.terminate();
            client.terminate();
            return;
          }
          if (client.data.upstream) client.data.upstream.write(chunk);
          else client.data.pending.push(new Uint8Array(chunk));
        },
        close(client) {
          client.data.upstream?.end();
          open.delete(client);
        },
        error(client) {
          client.data.upstream?.end();
          open.delete(client);
        },
      },
    });
  };
  listen();
  return {
    port,
    cut() {
      listener?.stop(true);
      listener = undefined;
      for (const client of open) {
        client.data.upstream?.terminate();
        client.terminate();
      }
      open.clear();
    },
    restore() {
      if (!listener) listen();
    },
  };
}
