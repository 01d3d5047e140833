/**
 * The client's types: `openapi-typescript` with its default settings over the API's
 * document, formatted the way the generator prints it.
 */
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { readDocument } from './document.ts';

export const SCHEMA_FILE = new URL('../src/schema.d.ts', import.meta.url);

export async function generateTypes(): Promise<string> {
  const document = await readDocument();
  // biome-ignore lint/suspicious/noExplicitAny: openapiTS takes its own OpenAPI3 type; the served JSON is one.
  const ast = await openapiTS(document as any);
  return `${COMMENT_HEADER}${astToString(ast)}`;
}
