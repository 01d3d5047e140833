/**
 * Structured logs: one JSON object per line on stdout, which CloudWatch stores as is.
 * Built on Powertools for AWS Lambda's Logger (levels, Lambda context, cold start, X-Ray
 * trace id, Advanced Logging Controls, debug sampling); this module adds the project's
 * shape (`level`, `time`, `message`, `requestId`, `lambdaRequestId`, `coldStart`, `traceId`),
 * redaction of sensitive keys at any depth, and cheap per-request children.
 */
import {
  LogFormatter,
  LogItem,
  LogLevelThreshold,
  Logger as PowertoolsLogger,
} from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { writeLine } from './observability/stdout.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /**
   * A logger that adds `bindings` to every line it writes. A binding may be a function of
   * no arguments: it is called when a line is written (for a value known only later, such
   * as the user id of a request); `undefined` leaves the field out.
   */
  child(bindings: LogFields): Logger;
}

/** What the Lambda runtime passes as `context` (the part the logs use). */
export interface LambdaContextLike {
  awsRequestId: string;
  functionName?: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  memoryLimitInMB?: string | number;
}

/** The root logger: also takes each Lambda invocation's context. */
export interface RootLogger extends Logger {
  /** Adds the invocation's request id and cold-start flag to every line from now on. */
  addLambdaContext(context: LambdaContextLike, coldStart: boolean): void;
}

const THRESHOLD: Record<LogLevel | 'silent', number> = {
  debug: LogLevelThreshold.DEBUG,
  info: LogLevelThreshold.INFO,
  warn: LogLevelThreshold.WARN,
  error: LogLevelThreshold.ERROR,
  silent: LogLevelThreshold.SILENT,
};

/** Keys whose values never reach a log line (compared without case, `-` or `_`). */
export const REDACTED_KEYS = [
  'authorization',
  'proxyauthorization',
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
  'xoriginverify',
] as const;
const REDACTED = '[REDACTED]';
const redactedKeys = new Set<string>(REDACTED_KEYS);

// The same few keys recur on every line: remember each key's verdict (bounded).
const verdicts = new Map<string, boolean>();
function isSensitive(key: string): boolean {
  let verdict = verdicts.get(key);
  if (verdict === undefined) {
    verdict = redactedKeys.has(key.toLowerCase().replace(/[-_]/g, ''));
    if (verdicts.size < 2_000) verdicts.set(key, verdict);
  }
  return verdict;
}

// Drizzle's query errors append the query's parameters (emails, tokens) to their message.
const QUERY_PARAMS = /\nparams: [\s\S]*?(?=\n {4}at |$)/;
const withoutParams = (text: unknown) =>
  typeof text === 'string' ? text.replace(QUERY_PARAMS, '\nparams: [REDACTED]') : text;

/**
 * Called by JSON.stringify for every key at every depth: sensitive keys are redacted,
 * Headers become plain objects (and are redacted in turn), lazy bindings are resolved.
 */
function redact(key: string, value: unknown): unknown {
  if (key !== '' && isSensitive(key)) return REDACTED;
  if (typeof value === 'function') return (value as () => unknown)();
  if (value instanceof Headers) return Object.fromEntries(value);
  return value;
}

/** The project's line shape; errors lose query parameters (postgres.js `parameters` too). */
class AppLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const lambda = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel.toLowerCase(),
        time: attributes.timestamp.toISOString(),
        message: attributes.message,
        service: attributes.serviceName,
        ...(lambda && { lambdaRequestId: lambda.awsRequestId, coldStart: lambda.coldStart }),
        ...(attributes.xRayTraceId && { traceId: attributes.xRayTraceId }),
        ...additional,
      },
    });
  }

  override formatError(error: Error): LogAttributes {
    const formatted = super.formatError(error);
    formatted.message = withoutParams(formatted.message);
    formatted.stack = withoutParams(formatted.stack);
    if ('parameters' in formatted) formatted.parameters = REDACTED;
    return formatted;
  }
}

/** Powertools' Logger writing finished lines through `write` instead of its own console. */
class CoreLogger extends PowertoolsLogger {
  sink?: (line: string) => void;
  /** Whether the invocation being added is the container's first (decided by the caller). */
  invocationColdStart = false;

  override getColdStart(): boolean {
    return this.invocationColdStart;
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    // Empty values are kept (a `userId: null` says "anonymous"); `undefined` drops the key.
    const attributes = log.getAttributes();
    // Most lines are flat (a request line is): lazy bindings resolved, they need no replacer,
    // and a plain JSON.stringify is several times faster than one calling back for every key.
    let flat = true;
    for (const key in attributes) {
      let value = attributes[key];
      if (typeof value === 'function') {
        value = (value as () => unknown)();
        attributes[key] = value;
      }
      if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') flat = false;
      else if (isSensitive(key)) flat = false;
    }
    const line = flat
      ? JSON.stringify(attributes)
      : JSON.stringify(attributes, this.getJsonReplacer());
    try {
      (this.sink ?? writeLine)(line);
    } catch {
      // A log line that cannot be written never fails the request that wrote it.
    }
  }
}

export interface LoggerOptions {
  /** Lowest level written. @default 'info' */
  level?: LogLevel | 'silent';
  /** The `service` field. @default 'api' */
  serviceName?: string;
  /** Fields on every line. @default {} */
  bindings?: LogFields;
  /** Where a finished line goes. @default stdout (written at the end of the tick) */
  write?: (line: string) => void;
}

const NO_FIELDS: LogFields = Object.freeze({});

class AppLogger implements RootLogger {
  constructor(
    private readonly core: CoreLogger,
    private readonly threshold: number,
    private readonly bindings: LogFields,
  ) {}

  // The level is checked here first: a line below it costs one comparison.
  private log(level: LogLevel, message: string, fields: LogFields | undefined) {
    if (THRESHOLD[level] < this.threshold) return;
    try {
      this.core[level](message, this.bindings, fields ?? NO_FIELDS);
    } catch {
      // Neither a throwing getter nor an unserializable value fails the caller.
    }
  }

  debug(message: string, fields?: LogFields) {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields) {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields) {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields) {
    this.log('error', message, fields);
  }
  child(bindings: LogFields): Logger {
    return new AppLogger(this.core, this.threshold, { ...this.bindings, ...bindings });
  }
  addLambdaContext(context: LambdaContextLike, coldStart: boolean) {
    this.core.invocationColdStart = coldStart;
    this.core.addContext({
      awsRequestId: context.awsRequestId,
      functionName: context.functionName ?? '',
      functionVersion: context.functionVersion ?? '',
      invokedFunctionArn: context.invokedFunctionArn ?? '',
      memoryLimitInMB: String(context.memoryLimitInMB ?? ''),
    } as Parameters<CoreLogger['addContext']>[0]);
  }
}

export function createLogger(options: LoggerOptions = {}): RootLogger {
  const level = options.level ?? 'info';
  const core = new CoreLogger({
    logLevel: level === 'silent' ? 'SILENT' : (level.toUpperCase() as 'INFO'),
    serviceName: options.serviceName ?? 'api',
    logFormatter: new AppLogFormatter(),
    jsonReplacerFn: redact,
  });
  core.sink = options.write;
  return new AppLogger(core, THRESHOLD[level], options.bindings ?? {});
}
