import { describe, expect, test } from 'bun:test';
import { readFile } from 'node:fs/promises';
import { parseEnv } from './env.ts';

const EXAMPLE = new URL('../../../.env.example', import.meta.url);
const ENV_SOURCE = new URL('./env.ts', import.meta.url);

/** Every `NAME=` line of .env.example, commented out or not. */
async function exampleEntries() {
  const text = await readFile(EXAMPLE, 'utf8');
  return [...text.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=(.*)$/gm)].map(([, name, value]) => ({
    name: name ?? '',
    value: value ?? '',
  }));
}

describe('.env.example', () => {
  test('passes the project’s own validation, with its commented values switched on too', async () => {
    const entries = await exampleEntries();
    expect(() => parseEnv(Object.fromEntries(entries.map((e) => [e.name, e.value])))).not.toThrow();
  });

  test('lists every variable env.ts reads', async () => {
    const source = await readFile(ENV_SOURCE, 'utf8');
    const start = source.indexOf('z\n  .object({');
    const schemaBlock = source.slice(start, source.indexOf('\n  .transform(', start));
    const read = [...schemaBlock.matchAll(/^\s{4}([A-Z][A-Z0-9_]+):/gm)].map(([, name]) => name);
    const listed = new Set((await exampleEntries()).map((entry) => entry.name));
    // Set by the Lambda runtime, not by an operator.
    const missing = read.filter(
      (name) => name && name !== 'AWS_LAMBDA_FUNCTION_NAME' && !listed.has(name),
    );
    expect(read.length).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });
});
