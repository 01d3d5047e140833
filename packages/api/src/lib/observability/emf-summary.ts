/**
 * Reads CloudWatch Embedded Metric Format lines back out of a log (any other line is skipped)
 * and sums them as CloudWatch would, per dimension set: what `just metrics view` shows locally.
 */

interface MetricDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: Array<{ Name: string; Unit?: string }>;
}

/** One row: the values of a dimension set, and each metric's figures under it. */
export interface SummaryRow {
  dimensions: Record<string, string>;
  metrics: Record<string, { unit: string; values: number[] }>;
}

/** Rows grouped by dimension set (`service,stage,route,statusClass`), in first-seen order. */
export interface EmfSummary {
  lines: number;
  namespaces: string[];
  sets: Map<string, Map<string, SummaryRow>>;
}

const isDirective = (value: unknown): value is MetricDirective =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as MetricDirective).Dimensions) &&
  Array.isArray((value as MetricDirective).Metrics);

/** Sums every EMF line in `lines`. */
export function summarizeEmf(lines: Iterable<string>): EmfSummary {
  const summary: EmfSummary = { lines: 0, namespaces: [], sets: new Map() };
  for (const line of lines) {
    if (!line.includes('"_aws"')) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const directives = (record._aws as { CloudWatchMetrics?: unknown[] } | undefined)
      ?.CloudWatchMetrics;
    if (!Array.isArray(directives)) continue;
    summary.lines += 1;
    for (const directive of directives.filter(isDirective)) {
      if (!summary.namespaces.includes(directive.Namespace)) {
        summary.namespaces.push(directive.Namespace);
      }
      for (const names of directive.Dimensions) {
        const setKey = names.join(',');
        const rows = summary.sets.get(setKey) ?? new Map<string, SummaryRow>();
        summary.sets.set(setKey, rows);
        const dimensions = Object.fromEntries(names.map((name) => [name, String(record[name])]));
        const rowKey = JSON.stringify(dimensions);
        const row = rows.get(rowKey) ?? { dimensions, metrics: {} };
        rows.set(rowKey, row);
        for (const metric of directive.Metrics) {
          const raw = record[metric.Name];
          const values = (Array.isArray(raw) ? raw : [raw]).filter(
            (value): value is number => typeof value === 'number',
          );
          if (values.length === 0) continue;
          const entry = row.metrics[metric.Name] ?? { unit: metric.Unit ?? 'None', values: [] };
          entry.values.push(...values);
          row.metrics[metric.Name] = entry;
        }
      }
    }
  }
  return summary;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const round = (value: number) => Math.round(value * 1e6) / 1e6;

/**
 * A summary as table rows per dimension set: dimension values (service and stage left out
 * where they are the same on every row), then per metric its sum, or for time metrics the
 * count, p50, p95 and max.
 */
export function summaryTables(
  summary: EmfSummary,
): Array<{ title: string; rows: Array<Record<string, string | number>> }> {
  const tables: Array<{ title: string; rows: Array<Record<string, string | number>> }> = [];
  for (const [setKey, rows] of summary.sets) {
    const names = setKey.split(',').filter((name) => name !== 'service' && name !== 'stage');
    const units = new Map<string, string>();
    for (const row of rows.values()) {
      for (const [metric, entry] of Object.entries(row.metrics)) units.set(metric, entry.unit);
    }
    const out = [...rows.values()].map((row) => {
      const cells: Record<string, string | number> = {};
      for (const name of names) cells[name] = row.dimensions[name] ?? '';
      for (const [metric, unit] of units) {
        const values = row.metrics[metric]?.values ?? [];
        if (unit === 'Milliseconds' || unit === 'Seconds') {
          const sorted = [...values].sort((x, y) => x - y);
          cells[`${metric} p50`] = sorted.length ? round(percentile(sorted, 50)) : '';
          cells[`${metric} p95`] = sorted.length ? round(percentile(sorted, 95)) : '';
          cells[`${metric} max`] = sorted.length ? round(sorted.at(-1) ?? 0) : '';
        } else {
          cells[metric] = round(values.reduce((sum, value) => sum + value, 0));
        }
      }
      return cells;
    });
    tables.push({ title: names.length > 0 ? `by ${names.join(', ')}` : 'totals', rows: out });
  }
  return tables;
}
