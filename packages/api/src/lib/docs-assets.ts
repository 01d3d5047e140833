/**
 * The docs page's script, served by the app itself: Scalar's standalone bundle from the
 * installed `@scalar/api-reference` (pinned in package.json), under a URL that names its
 * version, so the page works offline and a cache may keep the file for good.
 *
 * Where the file is read from:
 * - the Lambda bundle: `assets/<SCALAR_ASSET>` beside `index.mjs` (`bundleLambda` copies it
 *   there; it is a static file, not a chunk, so it does not count against the core budget);
 * - anywhere else: the installed package in node_modules.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed `@scalar/api-reference` version (a test checks it against the package). */
export const SCALAR_VERSION = '1.76.4';

/** The standalone (UMD) bundle inside the package. */
export const SCALAR_PACKAGE_FILE = 'dist/browser/standalone.js';

/** The asset's file name: versioned, so a new version is a new URL. */
export const SCALAR_ASSET = `scalar-api-reference-${SCALAR_VERSION}.js`;

/** The directory, beside the bundle's `index.mjs`, that holds the static assets. */
export const ASSETS_DIR = 'assets';

/** Immutable: the URL changes with the content. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The installed package's standalone bundle, or null where no node_modules exists (Lambda). */
export function installedScalarFile(): string | null {
  try {
    // `@scalar/api-reference` resolves to dist/index.js; the bundle sits beside it.
    const entry = createRequire(import.meta.url).resolve('@scalar/api-reference');
    return join(dirname(entry), SCALAR_PACKAGE_FILE.replace(/^dist\//, ''));
  } catch {
    return null;
  }
}

/** Where the asset may be, first match wins: beside the bundled code (entry or chunk), then the package. */
function candidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const installed = installedScalarFile();
  return [
    join(here, ASSETS_DIR, SCALAR_ASSET),
    join(here, '..', ASSETS_DIR, SCALAR_ASSET),
    ...(installed ? [installed] : []),
  ];
}

let cached: Promise<Uint8Array<ArrayBuffer>> | undefined;

/** The asset's bytes, read once. Rejects when no candidate exists. */
export function readScalarAsset(): Promise<Uint8Array<ArrayBuffer>> {
  cached ??= (async () => {
    for (const file of candidates()) {
      try {
        const bytes = await readFile(file);
        return new Uint8Array(
          bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
        );
      } catch {
        // next candidate
      }
    }
    throw new Error(`Scalar's standalone bundle was not found (${SCALAR_ASSET})`);
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
