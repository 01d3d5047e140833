/**
 * Whether an error means the database cannot be reached (as opposed to a query that is
 * wrong): refused or dropped connections, timeouts, a server shutting down or out of
 * connections, a pooler without a server. Those answer 503 with Retry-After, not 500.
 */

/** Node/postgres.js codes of a connection that could not be made or was lost. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

/**
 * SQLSTATEs of an unavailable server: class 08 (connection exception), 53300 (too many
 * connections), 57P01–57P03 (shutting down, crashed, starting up).
 */
const isUnavailableState = (code: string) =>
  /^08[0-9A-Z]{3}$/.test(code) || code === '53300' || /^57P0[123]$/.test(code);

/**
 * The code that marks `error` as an unreachable database, or null. Looks through `cause`
 * chains (Drizzle wraps the driver's error in its own).
 */
export function unavailableCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const { code, errno } = current as { code?: unknown; errno?: unknown };
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || isUnavailableState(code)))
      return code;
    if (typeof errno === 'string' && CONNECTION_CODES.has(errno)) return errno;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

export const isDatabaseUnavailable = (error: unknown) => unavailableCode(error) !== null;

/**
 * Whether `database` answers a trivial query within `timeoutMs`. For errors that arrive
 * without their cause (a library that wraps every failure in its own 500): if the database
 * does not answer, the failure was the outage.
 */
export async function databaseAnswers(
  database: { ping(): Promise<void> },
  timeoutMs = 2_000,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
  });
  try {
    await Promise.race([database.ping(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
