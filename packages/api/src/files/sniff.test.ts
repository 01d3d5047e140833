import { describe, expect, test } from 'bun:test';
import { sniffContentType } from './sniff.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

describe('sniffContentType', () => {
  test('UTF-8 text passes as any declared text type, even cut inside a character', async () => {
    for (const type of ['text/plain', 'text/markdown', 'text/csv', 'text/html'])
      expect(await sniffContentType(bytes('a,b\nc,d\n'), type)).toEqual({
        ok: true,
        detected: type,
      });
    const cut = bytes('café').subarray(0, 4); // the é's first byte only
    expect((await sniffContentType(cut, 'text/plain')).ok).toBe(true);
  });

  test('JSON must start like JSON', async () => {
    expect((await sniffContentType(bytes(' {"a": 1}'), 'application/json')).ok).toBe(true);
    expect((await sniffContentType(bytes('hello'), 'application/json')).ok).toBe(false);
  });

  test('binary bytes are not text, and text is not a PDF or a DOCX', async () => {
    const binary = new Uint8Array([0x00, 0x01, 0x02, 0xff, 0xfe]);
    expect(await sniffContentType(binary, 'text/plain')).toEqual({
      ok: false,
      detected: 'application/octet-stream',
    });
    expect(await sniffContentType(bytes('just text'), 'application/pdf')).toEqual({
      ok: false,
      detected: 'text/plain',
    });
    expect((await sniffContentType(bytes('just text'), DOCX_TYPE)).ok).toBe(false);
  });

  test('a PDF is a PDF, and declared as text it is refused', async () => {
    const pdf = bytes('%PDF-1.7\n%âãÏÓ\n');
    expect(await sniffContentType(pdf, 'application/pdf')).toEqual({
      ok: true,
      detected: 'application/pdf',
    });
    expect(await sniffContentType(pdf, 'text/plain')).toEqual({
      ok: false,
      detected: 'application/pdf',
    });
  });
});
