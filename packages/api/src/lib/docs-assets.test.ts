import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { useTestApp } from '../../test/test-app.ts';
import { IMMUTABLE, installedScalarFile, SCALAR_ASSET, SCALAR_VERSION } from './docs-assets.ts';
import { DOCS_ASSET_PATH, DOCS_PATH } from './openapi.ts';

const t = useTestApp();

describe("the docs page's own copy of Scalar", () => {
  test('the version in the URL is the installed package’s', () => {
    const file = installedScalarFile();
    expect(file).not.toBeNull();
    const pkg = JSON.parse(
      readFileSync(join(dirname(file ?? ''), '..', '..', 'package.json'), 'utf8'),
    ) as { name: string; version: string };
    expect(pkg).toMatchObject({ name: '@scalar/api-reference', version: SCALAR_VERSION });
    expect(DOCS_ASSET_PATH).toBe(`${DOCS_PATH}/assets/scalar-api-reference-${SCALAR_VERSION}.js`);
  });

  test('the page loads Scalar from this app, not from a CDN, with no web fonts', async () => {
    const page = await (await t.app.request(DOCS_PATH)).text();
    const sources = [...page.matchAll(/<script\b[^>]*\bsrc="([^"]*)"/g)].map((m) => m[1]);
    expect(sources).toEqual([DOCS_ASSET_PATH]);
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).toContain('"withDefaultFonts": false');
  });

  test('the asset is the installed standalone bundle, cached for good under its versioned URL', async () => {
    const response = await t.app.request(DOCS_ASSET_PATH);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe(IMMUTABLE);
    expect(response.headers.get('etag')).toBe(`"scalar-${SCALAR_VERSION}"`);
    const body = new Uint8Array(await response.arrayBuffer());
    expect(body.byteLength).toBe(readFileSync(installedScalarFile() ?? '').byteLength);
    const again = await t.app.request(DOCS_ASSET_PATH, {
      headers: { 'if-none-match': `"scalar-${SCALAR_VERSION}"` },
    });
    expect(again.status).toBe(304);
  });

  test('any other file under the assets path is a JSON 404', async () => {
    for (const name of [
      'other.js',
      SCALAR_ASSET.replace(SCALAR_VERSION, '0.0.1'),
      '..%2Fpackage.json',
    ]) {
      const response = await t.app.request(`${DOCS_PATH}/assets/${name}`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
  });
});
