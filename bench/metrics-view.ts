/**
 * `just metrics view [log]`: the latest benchmark results (bench/results/*.json) as tables,
 * then the application's own metrics, summed from the CloudWatch EMF lines of a log: the
 * file `log` (default `.data/api.log`), or stdin for `-`.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { summarizeEmf, summaryTables } from '../packages/api/src/lib/observability/emf-summary.ts';
import { RESULTS_DIR, table } from './lib.ts';

const DEFAULT_LOG = '.data/api.log';
const logSource = process.argv[2] ?? DEFAULT_LOG;

process.stdout.write('# Benchmark results (bench/results)\n');
const files = (await readdir(RESULTS_DIR).catch(() => []))
  .filter((file) => file.endsWith('.json'))
  .sort();
if (files.length === 0) {
  process.stdout.write('No benchmark results yet: run `just perf test`.\n');
}

type Row = Record<string, string | number>;
const round = (value: unknown) =>
  typeof value === 'number' ? Math.round(value * 100) / 100 : String(value);

for (const file of files) {
  const results = JSON.parse(await readFile(`${RESULTS_DIR}/${file}`, 'utf8')) as Record<
    string,
    unknown
  >;
  process.stdout.write(`\n== ${file.replace(/\.json$/, '')} (${String(results.date)})\n`);
  if (results.variants && typeof results.variants === 'object') {
    const rows: Row[] = Object.entries(
      results.variants as Record<string, Record<string, number>>,
    ).map(([variant, figures]) => ({
      variant,
      ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round(v)])),
    }));
    process.stdout.write(`${table(rows)}\n`);
  }
  const ratios = results.ratios as Record<string, number> | undefined;
  if (ratios)
    process.stdout.write(
      `\n${table(Object.entries(ratios).map(([ratio, value]) => ({ ratio, value: round(value) })))}\n`,
    );
  if (!results.variants && !ratios) {
    const flat: Row[] = Object.entries(results)
      .filter(([, value]) => typeof value !== 'object' || value === null)
      .map(([key, value]) => ({ figure: key, value: round(value) }));
    for (const [key, value] of Object.entries(results)) {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [inner, v] of Object.entries(value as Record<string, unknown>)) {
          if (!Array.isArray(v)) flat.push({ figure: `${key}.${inner}`, value: round(v) });
        }
      }
    }
    process.stdout.write(`${table(flat)}\n`);
  }
}

process.stdout.write('\n# Application metrics (CloudWatch EMF lines)\n');
const logText =
  logSource === '-'
    ? await new Response(Bun.stdin.stream()).text()
    : existsSync(logSource)
      ? await readFile(logSource, 'utf8')
      : null;
if (logText === null) {
  process.stdout.write(
    `No log at ${logSource}. Keep one with \`bun run dev | tee ${DEFAULT_LOG}\`, or pipe a log in: \`… | just metrics view -\`.\n`,
  );
} else {
  const summary = summarizeEmf(logText.split('\n'));
  const tables = summaryTables(summary);
  process.stdout.write(
    `${summary.lines} metric line(s) from ${logSource === '-' ? 'stdin' : logSource}` +
      `${summary.namespaces.length ? ` (namespace ${summary.namespaces.join(', ')})` : ''}\n`,
  );
  for (const { title, rows } of tables) {
    process.stdout.write(`\n== ${title}\n${table(rows)}\n`);
  }
}
