/** `just build`: bundles the Lambda entry into packages/api/dist as it is deployed. */
import { fileURLToPath } from 'node:url';
import { bundleLambda } from '../src/bundle.ts';

const outdir = fileURLToPath(new URL('../dist', import.meta.url));
const { outfile, bytes } = await bundleLambda(outdir);
process.stdout.write(`${outfile}: ${(bytes / 1024).toFixed(1)} KiB\n`);
