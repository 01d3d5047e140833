/**
 * Structured logs: one JSON object per line on stdout, which CloudWatch stores as is.
 * Values under sensitive keys are redacted at any depth before anything is written.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line it writes. */
  child(bindings: LogFields): Logger;
}

const LEVEL_ORDER: Record<LogLevel | 'silent', number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
  silent: 100,
};

/** Keys whose values never reach a log line (compared without case, `-` or `_`). */
export const REDACTED_KEYS = [
  'authorization',
  'cookie',
  'setcookie',
  'password',
  'newpassword',
  'currentpassword',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'sessiontoken',
  'apikey',
  'xapikey',
  'secret',
  'clientsecret',
] as const;
const REDACTED = '[REDACTED]';
const redactedKeys = new Set<string>(REDACTED_KEYS);
const normalizeKey = (key: string) => key.toLowerCase().replace(/[-_]/g, '');

// Drizzle's query errors append the query's parameters (emails, tokens) to their message.
const QUERY_PARAMS = /\nparams: [\s\S]*?(?=\n {4}at |$)/;
const withoutParams = (text: string | undefined) =>
  text?.replace(QUERY_PARAMS, '\nparams: [REDACTED]');

function sanitize(value: unknown, depth: number): unknown {
  if (value instanceof Error) {
    const error: LogFields = {
      name: value.name,
      message: withoutParams(value.message),
      stack: withoutParams(value.stack),
    };
    if (value.cause !== undefined && depth < 3) error.cause = sanitize(value.cause, depth + 1);
    return error;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[Truncated]';
  if (Array.isArray(value)) return value.map((item) => sanitize(item, depth + 1));
  if (value instanceof Headers) return sanitize(Object.fromEntries(value), depth);
  const out: LogFields = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = redactedKeys.has(normalizeKey(key)) ? REDACTED : sanitize(item, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  /** Lowest level written. @default 'info' */
  level?: LogLevel | 'silent';
  /** Fields on every line. @default {} */
  bindings?: LogFields;
  /** Where a finished line goes. @default a write to stdout */
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LEVEL_ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const make = (bindings: LogFields): Logger => {
    const log = (level: LogLevel, message: string, fields?: LogFields) => {
      if (LEVEL_ORDER[level] < threshold) return;
      const entry = sanitize(
        { level, time: new Date().toISOString(), message, ...bindings, ...fields },
        0,
      );
      try {
        write(JSON.stringify(entry));
      } catch {
        // A log line that cannot be written never fails the request that wrote it.
      }
    };
    return {
      debug: (message, fields) => log('debug', message, fields),
      info: (message, fields) => log('info', message, fields),
      warn: (message, fields) => log('warn', message, fields),
      error: (message, fields) => log('error', message, fields),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return make(options.bindings ?? {});
}
