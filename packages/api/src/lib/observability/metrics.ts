/**
 * CloudWatch metrics as Embedded Metric Format (EMF) lines on stdout: CloudWatch Logs turns
 * them into metrics asynchronously, so nothing on the request path calls the network.
 * Powertools for AWS Lambda's Metrics builds and validates each EMF object.
 *
 * Figures are counted cheaply as they happen and written once per invocation by `flush()`:
 * on Lambda by the handler wrapper after the response has streamed, elsewhere by the request
 * logger when each response is ready. Every metric of a line is published in the
 * `[service, stage]` dimension set and, when the line carries a request, in
 * `[service, stage, route, statusClass]`; token usage also in `[service, stage, model]`.
 * A failure here is logged and swallowed: metrics never fail a request.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Logger } from '../logger.ts';
import { writeLine } from './stdout.ts';

type MetricUnitValue = (typeof MetricUnit)[keyof typeof MetricUnit];

/** Counters without a dimension of their own. */
export const COUNTERS = {
  coldStart: 'ColdStart',
  cacheHit: 'CacheHits',
  cacheMiss: 'CacheMisses',
  rateLimited: 'RateLimitRejections',
  authFailure: 'AuthFailures',
} as const;
export type Counter = keyof typeof COUNTERS;

/** Every metric name, as it appears in CloudWatch. */
export const METRIC_NAMES = {
  ...COUNTERS,
  requests: 'Requests',
  latency: 'Latency',
  modelCalls: 'ModelCalls',
  inputTokens: 'InputTokens',
  outputTokens: 'OutputTokens',
  tokenCost: 'TokenCostUSD',
} as const;

/** The figures of one answered request. */
export interface RequestFigures {
  /** The matched route pattern (`/api/chats/:chatId`), never the raw path. */
  route: string;
  method: string;
  status: number;
  durationMs: number;
  requestId?: string;
  /** The caller, when known: metadata (searchable in Logs Insights), never a dimension. */
  userId?: string;
}

/** One model call. */
export interface ModelCallFigures {
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** Estimated, from the price table. */
  costUsd: number;
}

export interface AppMetrics {
  readonly enabled: boolean;
  /** Adds `value` (default 1) to a counter. */
  count(counter: Counter, value?: number): void;
  /** Records a model call's tokens and cost. */
  modelCall(figures: ModelCallFigures): void;
  /** Records the request this invocation answered. */
  request(figures: RequestFigures): void;
  /** Writes what was recorded since the last flush (nothing when nothing was); never throws. */
  flush(metadata?: Record<string, string | undefined>): void;
}

export interface MetricsOptions {
  /** @default true */
  enabled?: boolean;
  /** CloudWatch namespace. @default 'AiBackend' */
  namespace?: string;
  /** The `service` dimension. @default 'api' */
  serviceName?: string;
  /** The `stage` dimension. @default 'local' */
  stage?: string;
  /** Where a finished EMF line goes. @default stdout (written at the end of the tick) */
  write?: (line: string) => void;
  /** Where a failure to publish is reported. */
  logger?: Logger;
  /** Builds the Powertools instance (tests pass one that fails). */
  createEmitter?: (options: ConstructorParameters<typeof Metrics>[0]) => Metrics;
}

interface ModelTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

const statusClass = (status: number) => `${Math.floor(status / 100)}xx`;

/** Metrics that record nothing and write nothing. */
export const disabledMetrics: AppMetrics = {
  enabled: false,
  count() {},
  modelCall() {},
  request() {},
  flush() {},
};

export function createMetrics(options: MetricsOptions = {}): AppMetrics {
  if (options.enabled === false) return disabledMetrics;
  const write = options.write ?? writeLine;
  const { logger } = options;
  const settings = {
    namespace: options.namespace ?? 'AiBackend',
    serviceName: options.serviceName ?? 'api',
    defaultDimensions: { stage: options.stage ?? 'local' },
    logger,
  };
  let emitter: Metrics | undefined;
  const counters: Record<Counter, number> = {
    coldStart: 0,
    cacheHit: 0,
    cacheMiss: 0,
    rateLimited: 0,
    authFailure: 0,
  };
  const models = new Map<string, ModelTotals>();
  let pending: RequestFigures | null = null;
  let dirty = false;
  // Whether the Powertools instance may hold part of a line: only after a line it built failed
  // to be cleared. Clearing it costs several environment reads, so a clean one is left alone.
  let emitterHolds = false;

  const reset = () => {
    for (const key of Object.keys(counters) as Counter[]) counters[key] = 0;
    models.clear();
    pending = null;
    dirty = false;
  };

  // What one EMF line holds; Powertools turns it into the EMF object.
  interface Line {
    dimensionSets: Array<Record<string, string>>;
    metrics: Array<[name: string, unit: MetricUnitValue, value: number]>;
    metadata: Record<string, string>;
  }

  const modelMetrics = (totals: ModelTotals): Line['metrics'] => [
    [METRIC_NAMES.modelCalls, MetricUnit.Count, totals.calls],
    [METRIC_NAMES.inputTokens, MetricUnit.Count, totals.inputTokens],
    [METRIC_NAMES.outputTokens, MetricUnit.Count, totals.outputTokens],
    [METRIC_NAMES.tokenCost, MetricUnit.NoUnit, totals.costUsd],
  ];

  const clear = (metrics: Metrics) => {
    metrics.clearMetrics();
    metrics.clearDimensions();
    metrics.clearMetadata();
  };

  // Powertools builds and validates the first line of each shape (metric names and units,
  // dimension names); later lines of that shape reuse its metric directive, which is the same
  // by construction, and only fill in the values: a line per request stays a few microseconds.
  const directives = new Map<string, unknown>();
  const defaultDimensions = { service: settings.serviceName, ...settings.defaultDimensions };

  const emit = (line: Line) => {
    const metricsKey = line.metrics.map(([name, unit]) => `${name}:${unit}`).join(',');
    const setsKey = line.dimensionSets.map((set) => Object.keys(set).join('+')).join(',');
    const shape = `${metricsKey}|${setsKey}`;
    const directive = directives.get(shape);
    if (directive && line.dimensionSets.every((set) => Object.values(set).every(Boolean))) {
      const record: Record<string, unknown> = {
        _aws: { Timestamp: Date.now(), CloudWatchMetrics: [directive] },
        ...line.metadata,
        ...defaultDimensions,
      };
      for (const set of line.dimensionSets) Object.assign(record, set);
      for (const [name, , value] of line.metrics) record[name] = value;
      write(JSON.stringify(record));
      return;
    }
    emitter ??= (options.createEmitter ?? ((o) => new Metrics(o)))(settings);
    const metrics = emitter;
    emitterHolds = true;
    try {
      for (const set of line.dimensionSets) metrics.addDimensions(set);
      for (const [key, value] of Object.entries(line.metadata)) metrics.addMetadata(key, value);
      for (const [name, unit, value] of line.metrics) metrics.addMetric(name, unit, value);
      const emf = metrics.serializeMetrics();
      write(JSON.stringify(emf));
      if (directives.size < 256) directives.set(shape, emf._aws.CloudWatchMetrics[0]);
    } finally {
      clear(metrics);
      emitterHolds = false;
    }
  };

  function flush(metadata?: Record<string, string | undefined>) {
    if (!dirty) return;
    try {
      const request = pending;
      // Every line of this flush carries the request's ids, so each can be traced back.
      const lineMetadata: Record<string, string> = {};
      const entries: Array<[string, string | undefined]> = [
        ['requestId', request?.requestId],
        ['userId', request?.userId],
        ...Object.entries(metadata ?? {}),
        ['method', request?.method],
      ];
      for (const [key, value] of entries) if (value) lineMetadata[key] = value;
      const line: Line = { dimensionSets: [{}], metrics: [], metadata: lineMetadata };
      if (request) {
        line.dimensionSets.push({ route: request.route, statusClass: statusClass(request.status) });
        line.metrics.push([METRIC_NAMES.requests, MetricUnit.Count, 1]);
        line.metrics.push([METRIC_NAMES.latency, MetricUnit.Milliseconds, request.durationMs]);
      }
      for (const key of Object.keys(counters) as Counter[]) {
        if (counters[key] > 0) line.metrics.push([COUNTERS[key], MetricUnit.Count, counters[key]]);
      }
      // One line holds one value per dimension: the first model rides on the request's line,
      // any other model of the same invocation gets a line of its own.
      const [first, ...others] = models;
      if (first) {
        line.dimensionSets.push({ model: first[0] });
        line.metrics.push(...modelMetrics(first[1]));
      }
      emit(line);
      for (const [model, totals] of others) {
        emit({
          dimensionSets: [{}, { model }],
          metrics: modelMetrics(totals),
          metadata: lineMetadata,
        });
      }
    } catch (error) {
      try {
        logger?.warn('metrics not published', { err: error });
      } catch {
        // Nothing left to report to.
      }
    } finally {
      // A line that failed half-way leaves nothing behind for the next one.
      try {
        if (emitter && emitterHolds) clear(emitter);
        emitterHolds = false;
      } catch {
        emitter = undefined;
        emitterHolds = false;
      }
      reset();
    }
  }

  return {
    enabled: true,
    count(counter, value = 1) {
      counters[counter] += value;
      dirty = true;
    },
    modelCall(figures) {
      const totals = models.get(figures.model) ?? {
        calls: 0,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
      };
      totals.calls += 1;
      totals.inputTokens += figures.inputTokens;
      totals.outputTokens += figures.outputTokens;
      totals.costUsd += figures.costUsd;
      models.set(figures.model, totals);
      dirty = true;
    },
    request(figures) {
      // Two requests never share a line: their routes would collide.
      if (pending) flush();
      pending = figures;
      dirty = true;
    },
    flush,
  };
}
