import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { DOCX, extractText, PDF, UnreadableDocumentError } from './extract.ts';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../test/fixtures/files/${name}`, import.meta.url)));
const utf8 = (text: string) => new TextEncoder().encode(text);

/** The reason `extractText` gives for a document it cannot read. */
async function reasonFor(bytes: Uint8Array, contentType: string): Promise<string> {
  const error = await extractText(bytes, contentType).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UnreadableDocumentError);
  return (error as Error).message;
}

describe('extractText', () => {
  test('reads the text of every page of a PDF', async () => {
    const text = await extractText(fixture('report.pdf'), PDF);
    expect(text).toContain('Quarterly report for the Aurora project.');
    expect(text).toContain('Revenue grew by twelve percent in the third quarter.');
  });

  test('reads the paragraphs of a DOCX document', async () => {
    const text = await extractText(fixture('handbook.docx'), DOCX);
    expect(text.split(/\n+/)).toEqual([
      'Onboarding handbook',
      'New engineers receive a laptop and a security key on their first day.',
      'Holiday requests go through the people team at least two weeks ahead.',
    ]);
  });

  test('turns HTML into its visible text, without scripts, styles or link targets', async () => {
    const html =
      '<html><head><style>p{color:red}</style><script>steal()</script></head>' +
      '<body><h1>Release notes</h1><p>See <a href="https://example.com/x">the changelog</a>.</p></body></html>';
    const text = await extractText(utf8(html), 'text/html; charset=utf-8');
    expect(text).toContain('RELEASE NOTES');
    expect(text).toContain('See the changelog.');
    expect(text).not.toContain('steal');
    expect(text).not.toContain('color');
    expect(text).not.toContain('example.com');
  });

  test('keeps plain text, Markdown and CSV as they are, without a byte-order mark', async () => {
    expect(await extractText(utf8('\uFEFF# Title\n\nBody é\n'), 'text/markdown')).toBe(
      '# Title\n\nBody é',
    );
    expect(await extractText(utf8('a,b\n1,2\n'), 'text/csv')).toBe('a,b\n1,2');
    expect(await extractText(utf8('  hello  '), 'text/plain')).toBe('hello');
    // PostgreSQL text cannot hold NUL characters.
    expect(await extractText(utf8('a\0b'), 'text/plain')).toBe('ab');
  });

  test('pretty-prints JSON so that its keys and values are words apart', async () => {
    expect(await extractText(utf8('{"name":"Ada","tags":["x"]}'), 'application/json')).toBe(
      '{\n  "name": "Ada",\n  "tags": [\n    "x"\n  ]\n}',
    );
  });

  test('a password-protected PDF fails with that reason', async () => {
    expect(await reasonFor(fixture('encrypted.pdf'), PDF)).toMatch(/password-protected/);
  });

  test('a PDF without text fails as empty', async () => {
    expect(await reasonFor(fixture('empty.pdf'), PDF)).toMatch(/no text/);
  });

  test('an executable declared as a PDF or a DOCX fails as unreadable', async () => {
    const executable = new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04]);
    expect(await reasonFor(executable, PDF)).toMatch(/not a readable PDF/);
    expect(await reasonFor(executable, DOCX)).toMatch(/not a readable DOCX/);
  });

  test('binary bytes declared as text, invalid JSON and an unknown type fail with a reason', async () => {
    expect(await reasonFor(new Uint8Array([0xff, 0xfe, 0x00, 0xd8]), 'text/plain')).toMatch(
      /UTF-8/,
    );
    expect(await reasonFor(utf8('{"a":'), 'application/json')).toMatch(/JSON/);
    expect(await reasonFor(utf8('x'), 'image/png')).toMatch(/image\/png/);
    expect(await reasonFor(utf8(' \n\t '), 'text/plain')).toMatch(/no text/);
  });
});
