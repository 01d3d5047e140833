/**
 * Runs the official conformance suite for checkpoint savers
 * (`@langchain/langgraph-checkpoint-validation`) against DrizzleCheckpointSaver, on this
 * run's database (PGlite, or PostgreSQL with DATABASE_URL). The suite is written for Vitest
 * on Node, where Bun's `expect` lacks `expect.soft` and `expect(fn).rejects`, so it runs in
 * a Node child process (scripts/validate-checkpointer.mjs) and this test reads its result.
 */
import { describe, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import { runChild } from '../../../test/child.ts';

const script = fileURLToPath(
  new URL('../../../scripts/validate-checkpointer.mjs', import.meta.url),
);

describe('DrizzleCheckpointSaver', () => {
  test('passes @langchain/langgraph-checkpoint-validation', async () => {
    const { stdout, stderr, code } = await runChild(['node', script], {
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    });
    const output = `${stdout}\n${stderr}`;
    const summary = /Tests\s+(?:(\d+) failed \| )?(\d+) passed \((\d+)\)/.exec(output);
    if (code !== 0 || !summary)
      throw new Error(`the suite failed (exit ${code}):\n${output.slice(-4_000)}`);
    expect(summary[1]).toBeUndefined();
    // Every check of the suite ran (none skipped) and passed.
    expect(Number(summary[2])).toBe(Number(summary[3]));
    expect(Number(summary[2])).toBeGreaterThan(700);
  }, 120_000);
});
