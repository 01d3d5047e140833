/** The committed types are what `bun run generate` makes from the API's document today. */
import { expect, test } from 'bun:test';
import { readFile } from 'node:fs/promises';
import { generateTypes, SCHEMA_FILE } from '../scripts/generate-types.ts';

test('src/schema.d.ts is up to date with the document (run `bun run generate` in packages/client)', async () => {
  const committed = await readFile(SCHEMA_FILE, 'utf8');
  const fresh = await generateTypes();
  // The first differing line, so a failure says what changed.
  const lines = (text: string) => text.split('\n');
  const at = lines(fresh).findIndex((line, index) => line !== lines(committed)[index]);
  expect({ firstDifference: at === -1 ? null : at + 1, line: lines(fresh)[at] ?? null }).toEqual({
    firstDifference: null,
    line: null,
  });
  expect(committed === fresh).toBe(true);
});

test('fields with a default are optional in request bodies of the generated types', async () => {
  const committed = await readFile(SCHEMA_FILE, 'utf8');
  expect(committed).toContain('expiresInDays?: number;');
  expect(committed).toContain('cache?: boolean;');
  expect(/^\s+(cache: boolean|expiresInDays: number);/m.test(committed)).toBe(false);
});

test('docs/clients.md quotes the examples the tests run, as they are', async () => {
  const doc = await readFile(new URL('../../../docs/clients.md', import.meta.url), 'utf8');
  for (const name of ['browser.ts', 'server.ts']) {
    const example = await readFile(new URL(`../src/examples/${name}`, import.meta.url), 'utf8');
    expect({ name, quoted: doc.includes(example.trimEnd()) }).toEqual({ name, quoted: true });
  }
});
