import { describe, expect, test } from 'bun:test';
import { createMemoryQueue } from './memory.ts';
import { JobHandlers, type JobMessage, PermanentJobError } from './types.ts';

const until = async (check: () => boolean, ms = 2_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('the in-process job queue', () => {
  test('runs a job with its payload as JSON, not the caller’s object', async () => {
    const seen: unknown[] = [];
    const handlers = new JobHandlers().register<{ at: Date }>('echo', async (payload) => {
      seen.push(payload);
    });
    const queue = createMemoryQueue({ handlers });
    const payload = { at: new Date(0) };
    const id = await queue.enqueue('echo', payload);
    await until(() => seen.length === 1);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen[0]).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    await queue.close();
  });

  test('retries a failing job with backoff, then dead-letters it after maxAttempts', async () => {
    const attempts: number[] = [];
    const dead: Array<{ job: JobMessage; error: unknown }> = [];
    const handlers = new JobHandlers().register('flaky', async (_payload, { attempt }) => {
      attempts.push(attempt);
      throw new Error(`attempt ${attempt}`);
    });
    const queue = createMemoryQueue({
      handlers,
      maxAttempts: 3,
      backoffMs: () => 1,
      onDeadLetter: (job, error) => dead.push({ job, error }),
    });
    await queue.enqueue('flaky', {});
    await until(() => dead.length === 1);
    expect(attempts).toEqual([1, 2, 3]);
    expect(dead[0]?.error).toBeInstanceOf(Error);
    expect(String(dead[0]?.error)).toBe('Error: attempt 3');
    await queue.close();
  });

  test('a permanent error and an unknown job type are not retried', async () => {
    let calls = 0;
    const dead: string[] = [];
    const handlers = new JobHandlers().register('broken', async () => {
      calls += 1;
      throw new PermanentJobError('never');
    });
    const queue = createMemoryQueue({
      handlers,
      backoffMs: () => 1,
      onDeadLetter: (job) => dead.push(job.type),
    });
    await queue.enqueue('broken', {});
    await queue.enqueue('nobody-handles-this', {});
    await until(() => dead.length === 2);
    expect(calls).toBe(1);
    expect(dead.sort()).toEqual(['broken', 'nobody-handles-this']);
    await queue.close();
  });

  test('never runs more than `concurrency` jobs at once', async () => {
    let active = 0;
    let peak = 0;
    let done = 0;
    const handlers = new JobHandlers().register('slow', async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 10));
      active -= 1;
      done += 1;
    });
    const queue = createMemoryQueue({ handlers, concurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => queue.enqueue('slow', {})));
    await until(() => done === 6);
    expect(peak).toBe(2);
    await queue.close();
  });

  test('close aborts running jobs, waits for them and refuses new ones', async () => {
    let aborted = false;
    let started = false;
    const handlers = new JobHandlers().register('long', async (_payload, { signal }) => {
      started = true;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      aborted = signal.aborted;
    });
    const queue = createMemoryQueue({ handlers });
    await queue.enqueue('long', {});
    await until(() => started);
    await queue.close();
    expect(aborted).toBe(true);
    await expect(queue.enqueue('long', {})).rejects.toThrow('closed');
  });

  test('registering two handlers for one type is refused', () => {
    const handlers = new JobHandlers().register('a', async () => {});
    expect(() => handlers.register('a', async () => {})).toThrow('already registered');
  });
});
