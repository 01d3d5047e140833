import { describe, expect, test } from 'bun:test';
import { greaterThanPattern } from '../../../src/lib/waf/numeric-regex.ts';

describe('greaterThanPattern', () => {
  test.each([0, 7, 9, 10, 99, 100, 1_024, 8_192, 65_536, 1_048_576, 9_999_999])(
    'matches exactly the integers above %d',
    (bound) => {
      const pattern = new RegExp(greaterThanPattern(bound));
      const probes = new Set<number>([0, 1, 9, 10, 11, 99, 100, 101, bound * 10, bound * 10 + 7]);
      for (let delta = -1100; delta <= 1100; delta++) probes.add(bound + delta);
      for (let digit = 0; digit <= 9; digit++)
        probes.add(Number(`${digit}${String(bound).slice(1)}`));
      for (const probe of probes) {
        if (probe < 0) continue;
        expect({ probe, matches: pattern.test(String(probe)) }).toEqual({
          probe,
          matches: probe > bound,
        });
      }
    },
  );

  test('leading zeros do not hide a large value, and non-numbers never match', () => {
    const pattern = new RegExp(greaterThanPattern(1_048_576));
    expect(pattern.test('0002000000')).toBe(true);
    expect(pattern.test('001048576')).toBe(false);
    expect(pattern.test('')).toBe(false);
    expect(pattern.test('1e9')).toBe(false);
    expect(pattern.test('1048577 ')).toBe(false);
  });

  test('the pattern for 1 MiB fits an inline WAF regex (at most 200 characters)', () => {
    expect(greaterThanPattern(1_048_576).length).toBeLessThanOrEqual(200);
  });

  test('refuses a negative or fractional bound', () => {
    expect(() => greaterThanPattern(-1)).toThrow('non-negative integer');
    expect(() => greaterThanPattern(1.5)).toThrow('non-negative integer');
  });
});
