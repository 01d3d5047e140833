import { describe, expect, test } from 'bun:test';
import { CircuitOpenError, createCircuitBreaker } from './circuit-breaker.ts';

const failing = () => Promise.reject(new Error('connection refused'));
const ok = () => Promise.resolve('ok');

function clock() {
  let time = 1_000;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('createCircuitBreaker', () => {
  test('opens after the failure threshold and then fails fast without calling through', async () => {
    const { now } = clock();
    const breaker = createCircuitBreaker('dep', { failureThreshold: 2, openMs: 1_000, now });
    let calls = 0;
    const counted = () => {
      calls++;
      return failing();
    };
    await expect(breaker.run(counted)).rejects.toThrow('connection refused');
    expect(breaker.state()).toBe('closed');
    await expect(breaker.run(counted)).rejects.toThrow('connection refused');
    expect(breaker.state()).toBe('open');
    await expect(breaker.run(counted)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(2);
  });

  test('a success resets the count of consecutive failures', async () => {
    const breaker = createCircuitBreaker('dep', { failureThreshold: 2 });
    await expect(breaker.run(failing)).rejects.toThrow();
    await breaker.run(ok);
    await expect(breaker.run(failing)).rejects.toThrow();
    expect(breaker.state()).toBe('closed');
  });

  test('after openMs one probe goes through: success closes the circuit', async () => {
    const { now, advance } = clock();
    const breaker = createCircuitBreaker('dep', { failureThreshold: 1, openMs: 500, now });
    await expect(breaker.run(failing)).rejects.toThrow();
    expect(breaker.state()).toBe('open');
    advance(499);
    await expect(breaker.run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    advance(1);
    expect(breaker.state()).toBe('half-open');
    expect(await breaker.run(ok)).toBe('ok');
    expect(breaker.state()).toBe('closed');
  });

  test('a failed probe opens the circuit for another openMs', async () => {
    const { now, advance } = clock();
    const breaker = createCircuitBreaker('dep', { failureThreshold: 1, openMs: 500, now });
    await expect(breaker.run(failing)).rejects.toThrow();
    advance(500);
    await expect(breaker.run(failing)).rejects.toThrow('connection refused');
    expect(breaker.state()).toBe('open');
    advance(499);
    await expect(breaker.run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  test('only one probe at a time while half-open', async () => {
    const { now, advance } = clock();
    const breaker = createCircuitBreaker('dep', { failureThreshold: 1, openMs: 100, now });
    await expect(breaker.run(failing)).rejects.toThrow();
    advance(100);
    let release: (value: string) => void = () => {};
    const probe = breaker.run(() => new Promise<string>((resolve) => (release = resolve)));
    await expect(breaker.run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    release('done');
    expect(await probe).toBe('done');
    expect(breaker.state()).toBe('closed');
  });

  test('errors that are not the dependency failing do not count', async () => {
    const breaker = createCircuitBreaker('dep', {
      failureThreshold: 1,
      isFailure: (error) => !(error instanceof TypeError),
    });
    await expect(breaker.run(() => Promise.reject(new TypeError('bad input')))).rejects.toThrow();
    expect(breaker.state()).toBe('closed');
  });

  test('open() and close() follow what the connection reports, and report state changes', async () => {
    const states: string[] = [];
    const breaker = createCircuitBreaker('dep', { onStateChange: (state) => states.push(state) });
    breaker.open();
    await expect(breaker.run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    breaker.close();
    expect(await breaker.run(ok)).toBe('ok');
    expect(states).toEqual(['open', 'closed']);
  });
});
