/**
 * Adds `fields` to a response's Vary header, once each (compared without case). Three
 * middlewares call this on every response, so it tests the current value with one cached
 * pattern per field instead of splitting and rebuilding the list.
 */
export function appendVary(headers: Headers, ...fields: string[]) {
  const current = headers.get('vary');
  let value = current ?? '';
  // `Vary: *` already says the response varies on everything.
  if (value.trim() === '*') return;
  for (const field of fields) {
    if (!value) value = field;
    else if (!listPattern(field).test(value)) value = `${value}, ${field}`;
  }
  if (value !== current) headers.set('vary', value);
}

/** Matches `field` as a whole member of a comma-separated list, in any case. */
const patterns = new Map<string, RegExp>();
function listPattern(field: string): RegExp {
  let pattern = patterns.get(field);
  if (!pattern) {
    // Callers pass a handful of constant header names, so this stays small.
    const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    pattern = new RegExp(`(?:^|,)\\s*${escaped}\\s*(?:,|$)`, 'i');
    patterns.set(field, pattern);
  }
  return pattern;
}
