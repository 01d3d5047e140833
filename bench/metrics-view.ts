/**
 * `just metrics view`: the latest benchmark results (bench/results/*.json) as tables.
 */
import { readdir, readFile } from 'node:fs/promises';
import { RESULTS_DIR, table } from './lib.ts';

const files = (await readdir(RESULTS_DIR).catch(() => []))
  .filter((file) => file.endsWith('.json'))
  .sort();
if (files.length === 0) {
  process.stdout.write('No benchmark results yet: run `just perf test`.\n');
  process.exit(0);
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
