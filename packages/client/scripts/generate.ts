/**
 * `bun run generate` (in packages/client): regenerates `src/schema.d.ts` from the API's
 * document, read in-process. Commit the result; a test fails while it is out of date.
 */
import { writeFile } from 'node:fs/promises';
import { generateTypes, SCHEMA_FILE } from './generate-types.ts';

await writeFile(SCHEMA_FILE, await generateTypes());
console.log(`wrote ${SCHEMA_FILE.pathname}`);
