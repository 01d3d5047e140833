/**
 * Fuzzing from the OpenAPI document: for every operation it lists, FUZZ_RUNS generated hostile
 * requests (wrong types, missing and unknown fields, oversize strings and arrays, control
 * characters, bad content types, malformed JSON, bad ids and cursors, bad credentials).
 * Every answer must be below 500, among the statuses the document declares for the
 * operation, and match the declared body schema (the error shape included). A new route is
 * fuzzed as soon as it is in the document.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { createApp } from '../../src/app.ts';
import type { AppDeps } from '../../src/deps.ts';
import { jsonRequest, promoteToAdmin, signUp, type TestUser } from '../accounts.ts';
import { createTestDeps } from '../test-deps.ts';
import { requestsFor } from './arbitraries.ts';
import {
  createResponseChecker,
  listOperations,
  loadDocument,
  type OpenApiDocument,
  type Operation,
} from './document.ts';

/** Generated requests per operation. */
export const FUZZ_RUNS = 200;

let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let doc: OpenApiDocument;
let check: ReturnType<typeof createResponseChecker>;
let bystander: TestUser;
const totals = { operations: 0, requests: 0 };

beforeAll(async () => {
  deps = await createTestDeps();
  app = createApp(deps);
  doc = await loadDocument(app);
  check = createResponseChecker(doc);
  bystander = await signUp(app, deps);
});
afterAll(async () => {
  await deps?.close();
});

/** A caller of its own for each operation, so one that ends sessions spoils no other. */
async function callerFor(op: Operation) {
  const caller = await signUp(app, deps);
  if (op.path.includes('/admin')) await promoteToAdmin(deps, caller.id);
  const chat = await app.request(
    '/api/chats',
    jsonRequest('POST', { title: 'fuzz' }, caller.headers),
  );
  const chatId = ((await chat.json()) as { id: string }).id;
  await app.request(
    `/api/chats/${chatId}/messages`,
    jsonRequest('POST', { content: 'fuzz' }, caller.headers),
  );
  return { caller, chatId };
}

/** A stable seed per operation: a failure replays the same requests. */
const seedOf = (key: string) =>
  [...key].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) | 0, 7);

describe('fuzzing every operation of the OpenAPI document', () => {
  test('the document lists the operations the suite expects to fuzz', () => {
    const keys = listOperations(doc).map((op) => op.key);
    expect(keys).toContain('POST /api/chats');
    expect(keys).toContain('POST /api/auth/sign-in/email');
    expect(keys.length).toBeGreaterThanOrEqual(40);
  });

  test(`every operation: ${FUZZ_RUNS} hostile requests, no 5xx, only declared statuses and bodies`, async () => {
    const failures: string[] = [];
    for (const op of listOperations(doc)) {
      const { caller, chatId } = await callerFor(op);
      const requests = fc.sample(
        requestsFor(op, {
          doc,
          knownIds: { chatId, userId: bystander.id },
          credentials: { authorization: `Bearer ${caller.bearer}` },
          origin: new URL(deps.env.PUBLIC_URL).origin,
        }),
        { numRuns: FUZZ_RUNS, seed: seedOf(op.key) },
      );
      let failuresOfOp = 0;
      for (const request of requests) {
        const response = await app.request(request.url, request.init);
        const result = await check(op, response);
        totals.requests++;
        if (result.problems.length > 0 && failuresOfOp++ < 3) {
          failures.push(
            `${op.key}: ${result.problems.join('; ')}\n    ${request.describe}\n    → ${JSON.stringify(result.body).slice(0, 300)}`,
          );
        }
      }
      totals.operations++;
    }
    console.info(`fuzz: ${totals.requests} requests over ${totals.operations} operations`);
    expect(failures).toEqual([]);
    expect(totals.requests).toBeGreaterThanOrEqual(totals.operations * FUZZ_RUNS);
  }, 600_000);
});
