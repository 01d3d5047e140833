import { describe, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('./stdout.ts', import.meta.url));

/** Runs `body` (with `writeLine` in scope) in a fresh process and returns its stdout. */
async function run(body: string) {
  const script = `const { writeLine } = await import(${JSON.stringify(MODULE)});\n${body}`;
  const proc = Bun.spawn([process.execPath, '--eval', script], {
    env: { PATH: process.env.PATH ?? '' },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [out] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  return out;
}

describe('stdout lines', () => {
  test('lines of one tick are written together, in order, before later promises settle', async () => {
    const out = await run(`
      writeLine('a'); writeLine('b');
      await Promise.resolve();
      process.stdout.write('marker\\n');
      writeLine('c');
      await new Promise((resolve) => setTimeout(resolve, 5));
      writeLine('d');
    `);
    expect(out).toBe('a\nb\nmarker\nc\nd\n');
  });

  test('a line still pending when the process exits is written', async () => {
    expect(await run(`writeLine('last words'); process.exit(0);`)).toBe('last words\n');
  });
});
