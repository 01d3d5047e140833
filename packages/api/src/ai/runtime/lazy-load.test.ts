/**
 * DESIGN decision 7: importing the core app must not load LangChain. A child process (a
 * clean module graph) imports app.ts and lists every module it loaded; a static import of
 * anything under ai/ that reaches @langchain/*, langsmith or openai fails this test.
 */
import { describe, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';

const APP = fileURLToPath(new URL('../../app.ts', import.meta.url));
const RUNTIME = fileURLToPath(new URL('./runtime.ts', import.meta.url));
const AI_PACKAGES = /[\\/]node_modules[\\/](@langchain[\\/]|langsmith[\\/]|openai[\\/])/;

/** The AI packages' modules loaded after importing each of `entries`, in order. */
async function aiModulesLoadedBy(entries: string[]): Promise<string[][]> {
  // Bun lists ES modules in require.cache too; a fresh process starts with none loaded.
  const script = `
    import { createRequire } from 'node:module';
    const loaded = () => Object.keys(createRequire(import.meta.url).cache)
      .filter((path) => ${AI_PACKAGES}.test(path));
    const steps = [];
    for (const entry of ${JSON.stringify(entries)}) {
      await import(entry);
      steps.push(loaded());
    }
    console.log(JSON.stringify(steps));
  `;
  const child = Bun.spawn([process.execPath, '--eval', script], {
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`child exited ${code}: ${err}`);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '[]');
}

describe('lazy AI code', () => {
  test('importing app.ts loads no @langchain/*, langsmith or openai module; the AI runtime does', async () => {
    const [afterApp = [], afterRuntime = []] = await aiModulesLoadedBy([APP, RUNTIME]);
    expect(afterApp).toEqual([]);
    // The probe sees them once they are loaded: this test can fail.
    expect(afterRuntime.some((path) => path.includes('@langchain'))).toBe(true);
    expect(afterRuntime.some((path) => /[\\/]langsmith[\\/]/.test(path))).toBe(true);
  });
});
