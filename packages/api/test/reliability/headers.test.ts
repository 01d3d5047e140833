/**
 * Security headers and CORS on every operation of the OpenAPI document, errors included:
 * every response carries the secure headers (HSTS of at least a year outside local
 * development), none carries X-Powered-By, and no response — preflight or not — reflects an
 * origin that is not on the list.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createApp } from '../../src/app.ts';
import type { AppDeps } from '../../src/deps.ts';
import { signUp, type TestUser } from '../accounts.ts';
import { createTestDeps } from '../test-deps.ts';
import { fillPath, listOperations, loadDocument, type Operation } from './document.ts';

const ALLOWED = 'https://app.example.com';
const FOREIGN = [
  'https://evil.example',
  'null',
  'https://app.example.com.evil.example',
  'http://app.example.com',
];
const ONE_YEAR = 365 * 24 * 60 * 60;

interface Stage {
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  user: TestUser;
  operations: Operation[];
}

async function stage(name: 'dev' | 'local'): Promise<Stage> {
  const deps = await createTestDeps({
    env: {
      STAGE: name,
      PUBLIC_URL: name === 'local' ? 'http://localhost:3000' : 'https://api.example.com',
      ALLOWED_ORIGINS: ALLOWED,
      // A deployed stage requires these; the test's own database and cache stand in for them.
      DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
      REDIS_URL: 'redis://127.0.0.1:1',
      EMAIL_PROVIDER: name === 'local' ? 'log' : 'ses',
    },
  });
  const app = createApp(deps);
  const user = await signUp(app, deps);
  return { deps, app, user, operations: listOperations(await loadDocument(app)) };
}

let deployed: Stage;
let local: Stage;
beforeAll(async () => {
  [deployed, local] = await Promise.all([stage('dev'), stage('local')]);
});
afterAll(async () => {
  await Promise.all([deployed?.deps.close(), local?.deps.close()]);
});

const PATH_VALUES = {
  chatId: '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e',
  graphId: '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e',
  thread_id: '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e',
  run_id: '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e',
  assistant_id: 'chat',
  checkpoint_id: 'none',
  userId: 'someone',
  agentId: 'assistant',
  id: 'credential',
  token: 'not-a-token',
};

async function call(target: Stage, op: Operation, headers: Record<string, string>) {
  const init: RequestInit = {
    method: op.method,
    headers: { authorization: `Bearer ${target.user.bearer}`, ...headers },
  };
  if (op.method === 'POST' || op.method === 'PUT' || op.method === 'PATCH') {
    init.body = '{}';
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const response = await target.app.request(fillPath(op.path, PATH_VALUES), init);
  await response.body?.cancel();
  return response;
}

function missingSecureHeaders(response: Response, hsts: boolean): string[] {
  const h = response.headers;
  const problems: string[] = [];
  if (h.get('x-content-type-options') !== 'nosniff') problems.push('nosniff');
  if (h.get('x-frame-options') !== 'DENY') problems.push('x-frame-options');
  if (!h.get('referrer-policy')) problems.push('referrer-policy');
  if (!h.get('content-security-policy')) problems.push('content-security-policy');
  if (!h.get('cross-origin-opener-policy')) problems.push('cross-origin-opener-policy');
  if (!h.get('cross-origin-resource-policy')) problems.push('cross-origin-resource-policy');
  if (h.get('x-powered-by')) problems.push('x-powered-by present');
  if (!h.get('x-request-id')) problems.push('x-request-id');
  const maxAge = Number(/max-age=(\d+)/.exec(h.get('strict-transport-security') ?? '')?.[1] ?? 0);
  if (hsts && maxAge < ONE_YEAR) problems.push(`hsts max-age ${maxAge}`);
  if (!hsts && h.get('strict-transport-security')) problems.push('hsts on a local stage');
  return problems;
}

describe('security headers on every operation', () => {
  test('a deployed stage: every response of every operation has them, HSTS at least a year', async () => {
    const problems: string[] = [];
    for (const op of deployed.operations) {
      for (const headers of [{}, { authorization: 'Bearer nonsense' }] as Record<
        string,
        string
      >[]) {
        const response = await call(deployed, op, headers);
        const missing = missingSecureHeaders(response, true);
        if (missing.length) problems.push(`${op.key} (${response.status}): ${missing.join(', ')}`);
      }
    }
    const unknown = await deployed.app.request('/no/such/route');
    problems.push(...missingSecureHeaders(unknown, true).map((p) => `unknown route: ${p}`));
    expect(problems).toEqual([]);
    expect(deployed.operations.length).toBeGreaterThanOrEqual(40);
  }, 60_000);

  test('the local stage: the same headers without HSTS (plain http on a laptop)', async () => {
    const problems: string[] = [];
    for (const op of local.operations) {
      const response = await call(local, op, {});
      const missing = missingSecureHeaders(response, false);
      if (missing.length) problems.push(`${op.key} (${response.status}): ${missing.join(', ')}`);
    }
    expect(problems).toEqual([]);
  }, 60_000);
});

describe('CORS on every operation', () => {
  test('an unlisted origin is never reflected, in answers or preflights', async () => {
    const reflected: string[] = [];
    for (const op of deployed.operations) {
      for (const origin of FOREIGN) {
        const response = await call(deployed, op, { origin });
        const preflight = await deployed.app.request(fillPath(op.path, PATH_VALUES), {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': op.method },
        });
        for (const [kind, res] of [
          ['answer', response],
          ['preflight', preflight],
        ] as const) {
          const allow = res.headers.get('access-control-allow-origin');
          if (allow) reflected.push(`${op.key} ${kind} from ${origin}: ${allow}`);
          if (res.headers.get('access-control-allow-credentials'))
            reflected.push(`${op.key} ${kind} from ${origin}: credentials allowed`);
        }
      }
    }
    expect(reflected).toEqual([]);
  }, 60_000);

  test('the listed origin gets exactly itself back, never a wildcard', async () => {
    const wrong: string[] = [];
    for (const op of deployed.operations) {
      const response = await call(deployed, op, { origin: ALLOWED });
      const allow = response.headers.get('access-control-allow-origin');
      if (allow !== ALLOWED) wrong.push(`${op.key}: ${allow}`);
    }
    expect(wrong).toEqual([]);
  }, 60_000);
});
