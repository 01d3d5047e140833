/**
 * fast-check arbitraries for hostile requests, derived from the OpenAPI document: values that
 * fit a JSON schema, and the ways a client gets them wrong (wrong types, missing and unknown
 * fields, oversize strings and arrays, control characters, bad ids and cursors, bad content
 * types, malformed JSON).
 */
import fc from 'fast-check';
import type { JsonSchema, OpenApiDocument, Operation } from './document.ts';
import { fillPath, jsonBodySchema, pathParams } from './document.ts';

/** Strings a careless or hostile client sends. */
export const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'nul\u0000inside',
    '\u001b[31mred\u001b[0m',
    '\r\n\r\nX-Injected: 1',
    '\ud800',
    '\u202e\u0645evil',
    'e\u0301',
    "' or 1=1 --",
    '"; drop table chats; --',
    '<script>alert(1)</script>',
    '../../../../etc/passwd',
    '%00%2e%2e%2f',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection probe, sent as is
    '${jndi:ldap://example.invalid/a}',
    '{{7*7}}',
    '__proto__',
    'constructor',
    'NaN',
    '-0',
    '1e309',
    'null',
    'undefined',
    'true',
  ),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 31 }).map((n) => String.fromCharCode(n)),
    maxLength: 16,
  }),
  fc.integer({ min: 1_000, max: 70_000 }).map((n) => 'x'.repeat(n)),
);

/** Values of every JSON type, for a field that expects one in particular. */
export const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e308),
  fc.string({ maxLength: 20 }),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }),
  fc.constant({ __proto__: { polluted: true } }),
);

/** Ids in every wrong shape, and well-formed ones that name nothing. */
export const badId = fc.oneof(
  fc.uuid(),
  fc.constantFrom(
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    'not-a-uuid',
    '0192f0c4-8b1e-7c3a-9b5e-1f2a3b4c5d6e\u0000',
    '1',
    '-1',
    '9'.repeat(400),
    "1' or '1'='1",
    '..',
  ),
  fc.string({ minLength: 1, maxLength: 48 }),
  hostileString.filter((value) => value.length > 0),
);

const base64url = (value: string) => Buffer.from(value).toString('base64url');

/** Cursors that are not what the API issued, including ones that almost are. */
export const badCursor = fc.oneof(
  fc.string({ minLength: 1, maxLength: 300 }),
  fc.base64String({ maxLength: 200 }),
  fc.uuid().map((id) => base64url(JSON.stringify(['2024-01-01T00:00:00.000Z', id]))),
  fc
    .tuple(
      fc.constantFrom(
        '+275760-09-13T00:00:00.000Z',
        '-271821-04-20T00:00:00.000Z',
        '0000-01-01T00:00:00.000Z',
        '9999-12-31T23:59:59.999Z',
        '1970-01-01',
        'yesterday',
        '',
      ),
      fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })),
    )
    .map((pair) => base64url(JSON.stringify(pair))),
  fc.jsonValue({ maxDepth: 2 }).map((value) => base64url(JSON.stringify(value))),
);

/** Query values for a declared parameter: fitting ones, and every way to miss. */
function queryValue(name: string, schema: JsonSchema | undefined): fc.Arbitrary<string> {
  const fitting = schema ? valueFor(schema, {}, 0).map((value) => String(value)) : fc.string();
  const numeric = fc.constantFrom('0', '-1', '1e3', '100.5', 'NaN', '99999999999999999999', '0x10');
  return fc.oneof(
    { weight: 3, arbitrary: fitting },
    { weight: 2, arbitrary: name === 'cursor' ? badCursor : numeric },
    { weight: 2, arbitrary: hostileString },
  );
}

const resolve = (schema: JsonSchema, components: Record<string, JsonSchema>): JsonSchema => {
  const ref = schema.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/'))
    return components[ref.slice('#/components/schemas/'.length)] ?? {};
  return schema;
};

/** A value that fits `schema` (string formats included), as far as a schema can say. */
export function valueFor(
  raw: JsonSchema,
  components: Record<string, JsonSchema>,
  depth: number,
): fc.Arbitrary<unknown> {
  const schema = resolve(raw, components);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union?.length) return fc.oneof(...union.map((part) => valueFor(part, components, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date-time')
        return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.format === 'uri' || schema.format === 'url') return fc.webUrl();
      const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : 40;
      const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
      return fc.string({ minLength, maxLength: Math.min(maxLength, 60) });
    }
    case 'integer':
      return fc.integer({
        min: typeof schema.minimum === 'number' ? schema.minimum : -10,
        max: typeof schema.maximum === 'number' ? schema.maximum : 1000,
      });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth > 3) return fc.constant([]);
      const items = (schema.items as JsonSchema | undefined) ?? {};
      return fc.array(valueFor(items, components, depth + 1), { maxLength: 3 });
    }
    case 'object':
      return objectFor(schema, components, depth);
    default:
      return depth > 3 ? fc.constant(null) : fc.jsonValue({ maxDepth: 1 });
  }
}

function objectFor(
  schema: JsonSchema,
  components: Record<string, JsonSchema>,
  depth: number,
): fc.Arbitrary<Record<string, unknown>> {
  if (depth > 3) return fc.constant({});
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const entries = Object.entries(properties);
  if (entries.length === 0)
    return fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 });
  return fc.record(
    Object.fromEntries(
      entries.map(([key, value]) => [key, valueFor(value, components, depth + 1)]),
    ),
    { requiredKeys: entries.map(([key]) => key).filter((key) => required.has(key)) },
  );
}

/** A body built from `schema`, then broken in one of the ways clients break bodies. */
function hostileBody(schema: JsonSchema, components: Record<string, JsonSchema>) {
  const valid = valueFor(schema, components, 0);
  const properties = Object.keys(
    (resolve(schema, components).properties ?? {}) as Record<string, unknown>,
  );
  const field =
    properties.length > 0 ? fc.constantFrom(...properties) : fc.string({ maxLength: 8 });
  const asObject = (value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? { ...(value as Record<string, unknown>) }
      : {};
  return fc.oneof(
    { weight: 2, arbitrary: valid },
    // A field of the wrong type.
    fc
      .tuple(valid, field, wrongType)
      .map(([body, key, value]) => ({ ...asObject(body), [key]: value })),
    // A field with a hostile string.
    fc
      .tuple(valid, field, hostileString)
      .map(([body, key, value]) => ({ ...asObject(body), [key]: value })),
    // A missing field.
    fc.tuple(valid, field).map(([body, key]) => {
      const copy = asObject(body);
      delete copy[key];
      return copy;
    }),
    // Unknown fields.
    fc
      .tuple(
        valid,
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), wrongType, {
          minKeys: 1,
          maxKeys: 3,
        }),
      )
      .map(([body, extra]) => ({ ...extra, ...asObject(body) })),
    // An oversize array in a field.
    fc.tuple(valid, field, fc.integer({ min: 100, max: 20_000 })).map(([body, key, n]) => ({
      ...asObject(body),
      [key]: Array.from({ length: n }, (_, i) => i),
    })),
    // Deep nesting.
    fc.integer({ min: 50, max: 2_000 }).map((n) => {
      let value: unknown = 'deep';
      for (let i = 0; i < n; i++) value = { a: value };
      return value;
    }),
    // Any JSON at all.
    fc.jsonValue({ maxDepth: 3 }),
  );
}

/** Raw bodies no schema can describe. */
const rawBody = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      '{',
      '{"a":',
      '[1,2',
      'nul',
      '{"a":1}garbage',
      '\u0000',
      '{"a":"\\ud800"}',
      '"',
    ),
  },
  { weight: 8, arbitrary: fc.string({ maxLength: 100 }) },
  // Over the 1 MiB body limit: rare, since each costs a megabyte.
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1_100_000, max: 1_300_000 })
      .map((n) => `{"a":"${'x'.repeat(n)}"}`),
  },
);

const CONTENT_TYPES = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=fuzz',
      'application/json; charset=utf-16',
      'application/xml',
      'application/jsonx',
      '',
    ),
  },
);

export type Credential = 'caller' | 'none' | 'garbage-bearer' | 'garbage-key' | 'garbage-cookie';

export interface FuzzRequest {
  url: string;
  init: RequestInit;
  /** What the request was, for a failure message. */
  describe: string;
}

export interface FuzzContext {
  doc: OpenApiDocument;
  /** Real values for path parameters (an owned chat, a user), used some of the time. */
  knownIds: Record<string, string>;
  /** Headers that authenticate the caller (a bearer token: CSRF does not apply). */
  credentials: Record<string, string>;
  origin: string;
}

const CREDENTIAL_HEADERS: Record<Exclude<Credential, 'caller'>, Record<string, string>> = {
  none: {},
  'garbage-bearer': { authorization: 'Bearer fuzz.not-a-token' },
  'garbage-key': { 'x-api-key': 'sk_fuzz_not_a_key' },
  'garbage-cookie': { cookie: 'better-auth.session_token=fuzz.not-a-session' },
};

const truncate = (text: string, max = 300) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

/** Hostile requests for one operation of the document. */
export function requestsFor(op: Operation, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const components = ctx.doc.components?.schemas ?? {};
  const params = pathParams(op.path);
  const pathValues = fc.record(
    Object.fromEntries(
      params.map((name) => [
        name,
        ctx.knownIds[name]
          ? fc.oneof(
              { weight: 3, arbitrary: fc.constant(ctx.knownIds[name] as string) },
              { weight: 2, arbitrary: badId },
            )
          : badId,
      ]),
    ) as Record<string, fc.Arbitrary<string>>,
  );
  const declaredQuery = (op.operation.parameters ?? []).filter((p) => p.in === 'query');
  const query = fc.record(
    Object.fromEntries(declaredQuery.map((p) => [p.name, queryValue(p.name, p.schema)])),
    { requiredKeys: [] },
  ) as fc.Arbitrary<Record<string, string>>;
  const extraQuery = fc.option(
    fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), hostileString, { maxKeys: 2 }),
    { nil: {} },
  );
  const schema = jsonBodySchema(op);
  const takesBody = op.method !== 'GET' && op.method !== 'DELETE';
  const body: fc.Arbitrary<{ text?: string; json: boolean }> = takesBody
    ? fc.oneof(
        {
          weight: 6,
          arbitrary: hostileBody(schema ?? { type: 'object' }, components).map((value) => ({
            text: JSON.stringify(value),
            json: true,
          })),
        },
        { weight: 2, arbitrary: rawBody.map((text) => ({ text, json: false })) },
        { weight: 1, arbitrary: fc.constant({ text: undefined, json: false }) },
      )
    : fc.constant({ text: undefined, json: false });
  const credential = fc.oneof(
    { weight: 6, arbitrary: fc.constant<Credential>('caller') },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Credential>(
        'none',
        'garbage-bearer',
        'garbage-key',
        'garbage-cookie',
      ),
    },
  );
  const withOrigin = fc.boolean();

  return fc
    .record({
      pathValues,
      query,
      extraQuery,
      body,
      contentType: CONTENT_TYPES,
      credential,
      withOrigin,
    })
    .map(({ pathValues, query, extraQuery, body, contentType, credential, withOrigin }) => {
      const search = new URLSearchParams({ ...extraQuery, ...query }).toString();
      const url = fillPath(op.path, pathValues) + (search ? `?${search}` : '');
      const headers: Record<string, string> = {
        ...(credential === 'caller' ? ctx.credentials : CREDENTIAL_HEADERS[credential]),
      };
      if (withOrigin) headers.origin = ctx.origin;
      if (body.text !== undefined && contentType !== undefined)
        headers['content-type'] = contentType;
      const init: RequestInit = { method: op.method, headers };
      if (body.text !== undefined) init.body = body.text;
      const describe = `${op.method} ${truncate(url, 200)} [${credential}] content-type=${String(
        headers['content-type'],
      )} body=${truncate(body.text ?? '(none)')}`;
      return { url, init, describe };
    });
}
