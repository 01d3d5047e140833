import { describe, expect, test } from 'bun:test';
import { summarizeEmf, summaryTables } from './emf-summary.ts';
import { createMetrics } from './metrics.ts';

function emfLog() {
  const lines: string[] = ['{"level":"info","message":"request"}', 'not json at all'];
  const metrics = createMetrics({ stage: 'local', write: (line) => lines.push(line) });
  for (const [route, status, durationMs] of [
    ['/health', 200, 2],
    ['/health', 200, 4],
    ['/api/chats', 200, 10],
    ['/api/chats', 500, 30],
  ] as const) {
    metrics.count('cacheHit');
    metrics.request({ route, method: 'GET', status, durationMs });
    metrics.flush();
  }
  metrics.modelCall({ model: 'local', inputTokens: 7, outputTokens: 3, costUsd: 0 });
  metrics.request({ route: '/api/ai/chat', method: 'POST', status: 200, durationMs: 50 });
  metrics.flush();
  return lines;
}

describe('EMF summary', () => {
  test('sums metric lines per dimension set and skips every other line', () => {
    const summary = summarizeEmf(emfLog());
    expect(summary.lines).toBe(5);
    expect(summary.namespaces).toEqual(['AiBackend']);
    const tables = summaryTables(summary);
    expect(tables.map((table) => table.title)).toEqual([
      'totals',
      'by route, statusClass',
      'by model',
    ]);
    expect(tables[0]?.rows).toEqual([
      expect.objectContaining({ Requests: 5, CacheHits: 4, 'Latency p50': 10, 'Latency max': 50 }),
    ]);
    expect(tables[1]?.rows).toContainEqual(
      expect.objectContaining({
        route: '/health',
        statusClass: '2xx',
        Requests: 2,
        'Latency p95': 4,
      }),
    );
    expect(tables[1]?.rows).toContainEqual(
      expect.objectContaining({ route: '/api/chats', statusClass: '5xx', Requests: 1 }),
    );
    expect(tables[2]?.rows).toEqual([
      expect.objectContaining({ model: 'local', InputTokens: 7, OutputTokens: 3, ModelCalls: 1 }),
    ]);
  });

  test('a log without metric lines sums to nothing', () => {
    expect(summaryTables(summarizeEmf(['{"message":"hello"}', '']))).toEqual([]);
  });
});
