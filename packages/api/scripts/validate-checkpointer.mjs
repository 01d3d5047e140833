/**
 * `just ai validate-checkpointer`: runs `@langchain/langgraph-checkpoint-validation` against
 * DrizzleCheckpointSaver with Vitest on Node, the toolchain the suite is written for. (Its
 * own `validate-checkpointer` binary cannot load an initializer in version 1.1.1: its runner
 * imports a `findPackageRoot` that the published `import_utils.js` does not export.)
 * Exits non-zero when any check fails.
 */
import { fileURLToPath } from 'node:url';
import { startVitest } from 'vitest/node';

const suite = fileURLToPath(
  new URL('../test/checkpointer-validation/checkpointer.validation.vitest.ts', import.meta.url),
);
const vitest = await startVitest('test', [suite], {
  globals: true,
  include: [suite],
  watch: false,
  root: fileURLToPath(new URL('../../..', import.meta.url)),
});
await vitest?.close();
process.exit(process.exitCode ?? 0);
