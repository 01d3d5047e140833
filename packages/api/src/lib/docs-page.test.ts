/**
 * The docs page in a real browser (Debian's Chromium driven by playwright-core) with every
 * request to another origin blocked: Scalar must come from this app, list the operations,
 * send "try it" requests, and break no rule of the docs CSP. The screenshots are kept in
 * test/artifacts/ (docs.png, docs-try-it.png; a CI artifact).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createTestDeps } from '../../test/test-deps.ts';
import { createApp } from '../app.ts';
import type { AppDeps } from '../deps.ts';
import { DOCS_PATH } from './openapi.ts';

// Debian's chromium (.ci/run installs it); CHROMIUM_PATH names another build of Chromium
// (the GitHub runners' preinstalled Chrome).
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test/artifacts/', import.meta.url));
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  process.stderr.write(
    `skipping the docs page browser test: ${CHROMIUM} is absent (apt-get install -y chromium, or set CHROMIUM_PATH)\n`,
  );

describe.skipIf(!hasChromium)('the docs page in Chromium, offline', () => {
  let server: ReturnType<typeof Bun.serve>;
  let deps: AppDeps;
  let browser: Browser;
  let page: Page;
  const blocked: string[] = [];
  const consoleErrors: string[] = [];
  let origin: string;

  beforeAll(async () => {
    server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response(null) });
    origin = `http://127.0.0.1:${server.port}`;
    // The document's server is this one, so "try it" calls it.
    deps = await createTestDeps({ env: { PUBLIC_URL: origin } });
    const app = createApp(deps);
    server.reload({ fetch: (request, srv) => app.fetch(request, { server: srv }) });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:')
        return route.continue();
      blocked.push(url.href);
      return route.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(`${origin}${DOCS_PATH}`, { waitUntil: 'load' });
    await page.getByText('Liveness').first().waitFor({ timeout: 20_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.stop(true);
    await deps?.close();
  });

  test('lists the operations', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}docs.png` });
    const text = (await page.locator('body').textContent()) ?? '';
    // The first group open with its operations, the others collapsed under their tags.
    for (const shown of ['Liveness', 'Readiness', '/health/ready', '/api/me']) {
      expect(text).toContain(shown);
    }
    for (const tag of ['Account', 'Chats', 'AI agents', 'Auth', 'Api-key']) {
      expect(text).toContain(`Open Group - ${tag}`);
    }
  });

  test('"try it" on /health sends the request and shows its 200', async () => {
    const response = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/health' && r.request().method() === 'GET',
      { timeout: 20_000 },
    );
    await page.getByText('Liveness').first().click();
    await page
      .getByRole('button', { name: /test request/i })
      .first()
      .click();
    await page.getByRole('button', { name: /^send/i }).first().click();
    expect((await response).status()).toBe(200);
    // The client shows the answer's body.
    await page.getByText('"ok"').first().waitFor({ timeout: 10_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}docs-try-it.png` });
  }, 60_000);

  test('breaks no CSP rule and asks no other origin for anything', () => {
    expect(consoleErrors.filter((text) => /content security policy/i.test(text))).toEqual([]);
    expect(blocked).toEqual([]);
  });
});
