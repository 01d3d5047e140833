/**
 * What the Lambda@Edge signer adds to a request, measured in-process (`just perf edge-sign`):
 * the origin-request handler (packages/infrastructure/src/lib/edge/sign-body.handler.ts) run on
 * CloudFront's origin-request event with a base64 body of 1 KB, 64 KB and 1 MB (the largest
 * Lambda@Edge hands over), i.e. decoding and hashing the body and setting the header. Warm
 * invocations only: a cold Lambda@Edge start and CloudFront's own invocation overhead come on
 * top and are not measurable here. Writes bench/results/edge-sign.json.
 */
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { handler } from '../packages/infrastructure/src/lib/edge/sign-body.handler.ts';
import fixture from '../packages/infrastructure/test/fixtures/cloudfront-origin-request.json' with {
  type: 'json',
};
import { median, saveResults, table } from './lib.ts';

const [iterationsText = '400'] = process.argv.slice(2);
const iterations = Number(iterationsText);
const SIZES = [
  { label: '1 KB', bytes: 1024 },
  { label: '64 KB', bytes: 64 * 1024 },
  { label: '1 MB', bytes: 1024 * 1024 },
];

function eventWithBody(bytes: number): CloudFrontRequestEvent {
  const event = structuredClone(fixture) as unknown as CloudFrontRequestEvent;
  const request = event.Records[0]?.cf.request;
  if (!request) throw new Error('fixture without a request');
  const body = Buffer.alloc(bytes, '{"message":"a prompt"}');
  request.body = {
    action: 'read-only',
    encoding: 'base64',
    data: body.toString('base64'),
    inputTruncated: false,
  };
  return event;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

const rows: Array<Record<string, string | number>> = [];
for (const size of SIZES) {
  const template = eventWithBody(size.bytes);
  // Each run gets its own copy (the handler edits the request's headers).
  const events = Array.from({ length: iterations + 50 }, () => structuredClone(template));
  for (const event of events.splice(0, 50)) await handler(event);
  const times: number[] = [];
  for (const event of events) {
    const started = performance.now();
    await handler(event);
    times.push(performance.now() - started);
  }
  rows.push({
    body: size.label,
    bytes: size.bytes,
    iterations,
    p50_ms: Number(median(times).toFixed(3)),
    p99_ms: Number(percentile(times, 99).toFixed(3)),
    max_ms: Number(Math.max(...times).toFixed(3)),
  });
}

console.log(table(rows));
const path = await saveResults('edge-sign', {
  measured: new Date().toISOString(),
  runtime: `bun ${Bun.version} (${process.arch})`,
  note: 'Handler time only (base64 decode + SHA-256 + header), warm; Lambda@Edge runs Node.js 22 on x86_64 at 256 MB, whose CPU share is smaller than a laptop core: expect a multiple of these figures there.',
  results: rows,
});
console.log(`written to ${path}`);
