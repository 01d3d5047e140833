/**
 * Text extraction, one kept library per document type: `unpdf` (PDF.js) for PDF, `mammoth`
 * for DOCX, `html-to-text` for HTML; text, Markdown and CSV are decoded as UTF-8 and JSON is
 * parsed and pretty-printed. Each library loads when its first document arrives.
 *
 * A document that cannot give text (encrypted, corrupt, not what its type says, or with no
 * text at all) throws `UnreadableDocumentError`, whose message is the reason a user is shown.
 */

export const PDF = 'application/pdf';
export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The content types extraction reads. */
export const EXTRACTABLE_TYPES = [
  'text/plain',
  'text/markdown',
  'text/csv',
  'text/html',
  'application/json',
  PDF,
  DOCX,
] as const;
export type ExtractableType = (typeof EXTRACTABLE_TYPES)[number];

/** A document that gives no text; `message` says why, for the file's `failed` status. */
export class UnreadableDocumentError extends Error {
  override readonly name = 'UnreadableDocumentError';
}

/** `contentType` without parameters (`text/plain; charset=utf-8` → `text/plain`), lower case. */
export const baseType = (contentType: string) =>
  (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();

export const isExtractable = (contentType: string): contentType is ExtractableType =>
  (EXTRACTABLE_TYPES as readonly string[]).includes(baseType(contentType));

function decodeUtf8(bytes: Uint8Array): string {
  try {
    // `fatal`: a binary file declared as text is refused, not turned into replacement characters.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new UnreadableDocumentError('The file is not valid UTF-8 text');
  }
}

async function pdfText(bytes: Uint8Array): Promise<string> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // PDF.js takes ownership of the buffer it is given: hand it a copy.
    pdf = await getDocumentProxy(bytes.slice(), { verbosity: 0 });
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'PasswordException') {
      throw new UnreadableDocumentError('The PDF is password-protected');
    }
    throw new UnreadableDocumentError('The file is not a readable PDF');
  }
  try {
    const { text } = await extractText(pdf, { mergePages: false });
    return text.join('\n\n');
  } finally {
    await pdf.loadingTask.destroy();
  }
}

async function docxText(bytes: Uint8Array): Promise<string> {
  const { default: mammoth } = await import('mammoth');
  try {
    const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
    return value;
  } catch {
    throw new UnreadableDocumentError('The file is not a readable DOCX document');
  }
}

async function htmlText(bytes: Uint8Array): Promise<string> {
  const { convert } = await import('html-to-text');
  return convert(decodeUtf8(bytes), {
    wordwrap: false,
    selectors: [
      // Links keep their text; their targets are noise for search.
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
    ],
  });
}

function jsonText(bytes: Uint8Array): string {
  const text = decodeUtf8(bytes);
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    throw new UnreadableDocumentError('The file is not valid JSON');
  }
}

/**
 * The text of a document of `contentType`, whitespace at the ends trimmed. Throws
 * `UnreadableDocumentError` when there is none to be had.
 */
export async function extractText(bytes: Uint8Array, contentType: string): Promise<string> {
  const type = baseType(contentType);
  let text: string;
  switch (type) {
    case PDF:
      text = await pdfText(bytes);
      break;
    case DOCX:
      text = await docxText(bytes);
      break;
    case 'text/html':
      text = await htmlText(bytes);
      break;
    case 'application/json':
      text = jsonText(bytes);
      break;
    case 'text/plain':
    case 'text/markdown':
    case 'text/csv':
      text = decodeUtf8(bytes);
      break;
    default:
      throw new UnreadableDocumentError(`Text cannot be extracted from ${type || 'this type'}`);
  }
  // PostgreSQL text cannot hold NUL characters (PDF text layers sometimes have them).
  const trimmed = text.replaceAll('\0', '').trim();
  if (!trimmed) throw new UnreadableDocumentError('The document contains no text');
  return trimmed;
}
