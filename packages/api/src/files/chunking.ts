/**
 * Splitting extracted text into the chunks that are embedded and searched, with LangChain's
 * RecursiveCharacterTextSplitter: it cuts at paragraphs, then lines, then words, so a chunk
 * stays within FILES_CHUNK_SIZE characters and repeats FILES_CHUNK_OVERLAP characters of the
 * one before it. Markdown is cut at its headings and blocks first.
 */
import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { baseType } from './extract.ts';

export interface ChunkingOptions {
  /** FILES_CHUNK_SIZE: most characters in one chunk. */
  chunkSize: number;
  /** FILES_CHUNK_OVERLAP: characters a chunk repeats from the one before it. */
  chunkOverlap: number;
}

export interface TextChunk {
  /** 0 for the document's first chunk, in reading order. */
  position: number;
  content: string;
}

/** The chunks of `text`, a document of `contentType`, in reading order. */
export async function splitIntoChunks(
  text: string,
  contentType: string,
  options: ChunkingOptions,
): Promise<TextChunk[]> {
  const fields = { chunkSize: options.chunkSize, chunkOverlap: options.chunkOverlap };
  const splitter =
    baseType(contentType) === 'text/markdown'
      ? RecursiveCharacterTextSplitter.fromLanguage('markdown', fields)
      : new RecursiveCharacterTextSplitter(fields);
  const pieces = await splitter.splitText(text);
  return pieces
    .map((content) => content.trim())
    .filter(Boolean)
    .map((content, position) => ({ position, content }));
}
