/** Adds `fields` to a response's Vary header, once each. */
export function appendVary(headers: Headers, ...fields: string[]) {
  const current = (headers.get('vary') ?? '')
    .split(',')
    .map((field) => field.trim())
    .filter(Boolean);
  const known = new Set(current.map((field) => field.toLowerCase()));
  for (const field of fields) {
    if (!known.has(field.toLowerCase())) {
      current.push(field);
      known.add(field.toLowerCase());
    }
  }
  headers.set('vary', current.join(', '));
}
