/**
 * What a stored file really is, from its first bytes: `file-type` recognises binary formats
 * by their signatures (PDF, DOCX, executables, archives…); bytes it does not recognise are
 * text when they decode as UTF-8 without NUL or other control characters. A declared type
 * is accepted only when the bytes agree with it.
 */

/** How many leading bytes the check reads (file-type needs up to 4100 for some formats). */
export const SNIFF_BYTES = 4_100;

/** The text types: any UTF-8 text passes as one of these (JSON must also start like JSON). */
const TEXT_TYPES = new Set([
  'text/plain',
  'text/markdown',
  'text/html',
  'text/csv',
  'application/json',
]);

export type SniffResult =
  /** The bytes agree with the declared type; `detected` is what they were taken for. */
  | { ok: true; detected: string }
  /** They do not; `detected` is what they look like (`application/octet-stream` if unknown). */
  | { ok: false; detected: string };

// Control characters other than tab, newline, form feed and carriage return.
const CONTROL = /[^\P{Cc}\t\n\f\r]/u;

/** Whether `bytes` (a prefix of the object) is UTF-8 text; a character cut at the end is fine. */
function isText(bytes: Uint8Array): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return !CONTROL.test(text);
  } catch {
    return false;
  }
}

/** Whether `bytes` of an object of `declared` type are really of that type. */
export async function sniffContentType(bytes: Uint8Array, declared: string): Promise<SniffResult> {
  const { fileTypeFromBuffer } = await import('file-type');
  const found = await fileTypeFromBuffer(bytes);
  if (found) return { ok: found.mime === declared, detected: found.mime };
  if (!isText(bytes)) return { ok: false, detected: 'application/octet-stream' };
  if (!TEXT_TYPES.has(declared)) return { ok: false, detected: 'text/plain' };
  if (declared === 'application/json') {
    const start = new TextDecoder()
      .decode(bytes.subarray(0, 64))
      .replace(/^\uFEFF/, '')
      .trimStart();
    if (start !== '' && !/^[[{"\d\-tfn]/.test(start)) return { ok: false, detected: 'text/plain' };
  }
  return { ok: true, detected: declared };
}
