/**
 * `just build`: bundles the Lambda entry as it is deployed, into packages/api/dist or the
 * directory `--outdir` names (the function's `afterBundling` hook builds its asset so).
 */

import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleLambda, CORE_BUNDLE_BUDGET_BYTES } from '../src/bundle.ts';

const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const outdir = values.outdir ?? fileURLToPath(new URL('../dist', import.meta.url));
const bundle = await bundleLambda(outdir);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
process.stdout.write(
  `${bundle.outfile}: core ${kib(bundle.coreBytes)} (budget ${kib(CORE_BUNDLE_BUDGET_BYTES)}), ` +
    `lazy ${kib(bundle.lazyBytes)}, total ${kib(bundle.totalBytes)} in ${bundle.files.length} files\n`,
);
