/**
 * WAF compares sizes only up to its body inspection limit (16 KB on CloudFront by default),
 * so a limit of 1 MiB is enforced on the `Content-Length` header instead: a regular expression
 * that matches exactly the decimal integers above a bound.
 */

/** A regular expression (anchored) matching every decimal integer strictly greater than `bound`. */
export function greaterThanPattern(bound: number): string {
  if (!Number.isSafeInteger(bound) || bound < 0) {
    throw new Error(`bound must be a non-negative integer, got ${bound}`);
  }
  const digits = String(bound);
  const length = digits.length;
  // Longer numbers are all greater (no leading zeros; a zero-padded value is refused upstream).
  const branches = [`[1-9][0-9]{${length},}`];
  // Same length: equal on a prefix, greater at the next digit, anything after.
  for (let i = 0; i < length; i++) {
    const digit = Number(digits[i]);
    if (digit === 9) continue;
    const prefix = digits.slice(0, i);
    const low = digit + 1;
    const first = i === 0 && length > 1 ? Math.max(low, 1) : low;
    const range = first === 9 ? '9' : `[${first}-9]`;
    const rest = length - i - 1;
    branches.push(`${prefix}${range}${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  return `^0*(${branches.join('|')})$`;
}
