/**
 * Fuzzing from the OpenAPI document: for every operation it lists, FUZZ_RUNS generated hostile
 * requests (wrong types, missing and unknown fields, oversize strings and arrays, control
 * characters, bad content types, malformed JSON, bad ids and cursors, bad credentials).
 * Every answer must be below 500, among the statuses the document declares for the
 * operation, and match the declared body schema (the error shape included). A new route is
 * fuzzed as soon as it is in the document.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { jsonRequest, promoteToAdmin, signUp, type TestUser } from '../accounts.ts';
import { useTestApp } from '../test-app.ts';
import { requestsFor } from './arbitraries.ts';
import { listOperations, type Operation, useDocument } from './document.ts';

/** Generated requests per operation. */
export const FUZZ_RUNS = 200;

const t = useTestApp();
const spec = useDocument(t);
let bystander: TestUser;
const totals = { operations: 0, requests: 0 };

beforeAll(async () => {
  bystander = await signUp(t.app, t.deps);
});

/** A caller of its own for each operation, so one that ends sessions spoils no other. */
async function callerFor(op: Operation) {
  const caller = await signUp(t.app, t.deps);
  if (op.path.includes('/admin')) await promoteToAdmin(t.deps, caller.id);
  const chat = await t.app.request(
    '/api/chats',
    jsonRequest('POST', { title: 'fuzz' }, caller.headers),
  );
  const chatId = ((await chat.json()) as { id: string }).id;
  await t.app.request(
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
    const keys = listOperations(spec.doc).map((op) => op.key);
    expect(keys).toContain('POST /api/chats');
    expect(keys).toContain('POST /api/auth/sign-in/email');
    expect(keys.length).toBeGreaterThanOrEqual(40);
  });

  test(`every operation: ${FUZZ_RUNS} hostile requests, no 5xx, only declared statuses and bodies`, async () => {
    const failures: string[] = [];
    for (const op of listOperations(spec.doc)) {
      const { caller, chatId } = await callerFor(op);
      const requests = fc.sample(
        requestsFor(op, {
          doc: spec.doc,
          knownIds: { chatId, userId: bystander.id },
          credentials: { authorization: `Bearer ${caller.bearer}` },
          origin: new URL(t.deps.env.PUBLIC_URL).origin,
        }),
        { numRuns: FUZZ_RUNS, seed: seedOf(op.key) },
      );
      let failuresOfOp = 0;
      for (const request of requests) {
        const response = await t.app.request(request.url, request.init);
        const result = await spec.check(op, response);
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
