/**
 * Named statements for Drizzle's queries on postgres.js. Drizzle sends every query it was not
 * asked to `.prepare()` as an unnamed statement; postgres.js then describes a statement that
 * has parameters before it binds them — two round trips — and the server parses and plans it
 * each time. Through this client they are named statements, which postgres.js prepares once
 * per connection and then runs in one round trip, as it does its own tagged queries.
 *
 * Only for a pool that may prepare (not behind RDS Proxy or a transaction pooler, which
 * `DATABASE_PREPARE=false` is for), and only the first `limit` distinct statements: a query
 * whose text varies without bound (a list of values of any length) never fills the server's
 * memory with statements; past the limit a new text is sent unnamed, as before.
 */
import type { Sql } from 'postgres';

/** Distinct statement texts prepared by default. */
export const PREPARED_STATEMENTS_MAX = 1000;

type Unsafe = (query: string, parameters?: unknown[], options?: { prepare?: boolean }) => unknown;
type Begin = (...args: unknown[]) => unknown;

export function preparingClient<T extends Sql>(sql: T, limit = PREPARED_STATEMENTS_MAX): T {
  const known = new Set<string>();
  const named = (query: string) => {
    if (known.has(query)) return true;
    if (known.size >= limit) return false;
    known.add(query);
    return true;
  };
  const wrap = <C extends Sql>(client: C): C =>
    new Proxy(client, {
      get(target, property, receiver) {
        if (property === 'unsafe') {
          const unsafe = target.unsafe as unknown as Unsafe;
          return (query: string, parameters?: unknown[], options?: { prepare?: boolean }) =>
            unsafe.call(
              target,
              query,
              parameters,
              // Without parameters postgres.js sends the simple protocol: nothing to prepare.
              options?.prepare === false && parameters?.length && named(query)
                ? { ...options, prepare: true }
                : options,
            );
        }
        // A transaction's (or savepoint's) own client prepares the same way.
        if (property === 'begin' || property === 'savepoint') {
          const open = Reflect.get(target, property, target) as Begin;
          return (...args: unknown[]) => {
            const callback = args.pop() as (tx: Sql) => unknown;
            return open.call(target, ...args, (tx: Sql) => callback(wrap(tx)));
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });
  return wrap(sql);
}
