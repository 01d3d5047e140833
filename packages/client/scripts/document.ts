/**
 * The API's OpenAPI document, read in-process from `createApp` (no server, no network): an
 * app built on throw-away embedded deps answers `GET /openapi.json`.
 */
import { createApp } from '@backend/api';
import { createTestDeps } from '@backend/api/testing';

/** The document as the API serves it, with a fixed server URL so generation is repeatable. */
export async function readDocument(): Promise<Record<string, unknown>> {
  const deps = await createTestDeps({ env: { PUBLIC_URL: 'http://localhost:3000' } });
  try {
    const response = await createApp(deps).request('/openapi.json');
    if (response.status !== 200) throw new Error(`/openapi.json answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  } finally {
    await deps.close();
  }
}
