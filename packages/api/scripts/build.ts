/**
 * `just build`: bundles a Lambda entry as it is deployed (`--entry api`, the default, or
 * `--entry worker`), into packages/api/dist (dist/worker for the worker) or the directory
 * `--outdir` names (each function's `afterBundling` hook builds its asset so).
 */

import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  bundleLambda,
  CORE_BUNDLE_BUDGET_BYTES,
  LAMBDA_ENTRIES,
  type LambdaEntryName,
} from '../src/bundle.ts';

const { values } = parseArgs({
  options: { outdir: { type: 'string' }, entry: { type: 'string', default: 'api' } },
});
if (!Object.hasOwn(LAMBDA_ENTRIES, values.entry)) {
  throw new Error(`--entry must be one of ${Object.keys(LAMBDA_ENTRIES).join(', ')}`);
}
const entry = values.entry as LambdaEntryName;
const outdir =
  values.outdir ??
  fileURLToPath(new URL(entry === 'api' ? '../dist' : `../dist/${entry}`, import.meta.url));
const bundle = await bundleLambda(outdir, LAMBDA_ENTRIES[entry]);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
process.stdout.write(
  `${bundle.outfile}: core ${kib(bundle.coreBytes)} (budget ${kib(CORE_BUNDLE_BUDGET_BYTES)}), ` +
    `lazy ${kib(bundle.lazyBytes)}, total ${kib(bundle.totalBytes)} in ${bundle.files.length} files\n`,
);
