/**
 * fast-check arbitraries for API requests, derived from the OpenAPI document (GET /api/v1/openapi.json): every
 * operation, its path and query parameters and its body schemas, each value either valid for its schema or taken
 * from a dictionary of hostile values (prototype names, path traversal, huge and non-finite numbers, long and
 * unicode strings), plus unknown and repeated parameters, malformed JSON and CSV, wrong content types and
 * megabyte bodies. The same requests are sent through real HTTP and as API Gateway events to the handlers.
 */
import fc from 'fast-check';

type Json = Record<string, unknown>;

export interface Operation {
  method: string;
  /** Resource path with {param} placeholders. */
  path: string;
  params: { name: string; in: 'path' | 'query'; required: boolean; schema: Json }[];
  body?: { required: boolean; content: Record<string, { schema: Json }> };
  apiKey: boolean;
}

export interface FuzzRequest {
  /** "METHOD /resource" */
  op: string;
  method: string;
  resource: string;
  pathParams: [string, string][];
  query: [string, string][];
  headers: [string, string][];
  body?: string;
}

export interface FuzzContext {
  apiKey: string;
  /** Symbols with stored bars that requests may read and write. */
  symbols: readonly string[];
  /** Symbols that only reads may name (their bars must stay as seeded). */
  readOnlySymbols: readonly string[];
}

export function operationsOf(doc: Json): Operation[] {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(ops)) {
      out.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters as Operation['params'] | undefined) ?? [],
        body: op.requestBody as Operation['body'],
        apiKey: Array.isArray(op.security) && op.security.length > 0,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The dictionary of hostile values

export const PROTO_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
];

const hostileString = fc.oneof(
  fc.constantFrom(
    ...PROTO_NAMES,
    '../../../../etc/passwd',
    '..\\..\\windows\\win.ini',
    '%2e%2e%2f%2e%2e%2f',
    '/',
    '.',
    '..',
    '',
    ' ',
    '\u0000',
    '\r\n',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '-1e309',
    '-0',
    '0x1F',
    '１２３',
    '9'.repeat(400),
    'null',
    'undefined',
    'true',
    '[]',
    '{}',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '${jndi:ldap://127.0.0.1/x}',
    '{SPY:1d}',
    'SPY#1d',
    '😀📈',
    '上证指数',
    '\u202eRTL',
    '\ud800',
    'e\u0301',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'x'.repeat(n)),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1.5, 1e308, -1e308, 5e-324, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e21, 253402300800000),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.constantFrom(null, true, false, [], {}, [[[]]], { a: { b: { c: {} } } }),
  fc.array(hostileString, { maxLength: 5 }),
);

/** Query and path values: strings only, valid-looking or hostile. */
const hostileText = fc.oneof(hostileString, hostileNumber.map(String));

// ---------------------------------------------------------------------------------------------------------
// Valid values, from the schema (with domain hints where a schema cannot say what is meaningful)

const DAY = 86_400_000;

const timeText = fc.oneof(
  fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2024, 0, 1) }).map(String),
  fc
    .date({ min: new Date(Date.UTC(2015, 0, 1)), max: new Date(Date.UTC(2024, 0, 1)), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc
    .date({ min: new Date(Date.UTC(1800, 0, 1)), max: new Date(Date.UTC(2200, 0, 1)), noInvalidDate: true })
    .map((d) => d.toISOString()),
);

/** A plausible bar series (valid OHLC, increasing times), or a slightly broken one. */
const bars = fc
  .record({
    n: fc.integer({ min: 1, max: 150 }),
    start: fc.integer({ min: Date.UTC(2016, 0, 1) / DAY, max: Date.UTC(2023, 0, 1) / DAY }),
    seed: fc.double({ min: 1, max: 1000, noNaN: true }),
    timeAs: fc.constantFrom('ms', 'date', 'iso'),
    breakAt: rarely(fc.nat(), 4),
  })
  .map(({ n, start, seed, timeAs, breakAt }) =>
    Array.from({ length: n }, (_, i) => {
      const t = (start + i) * DAY;
      const c = seed * (1 + 0.2 * Math.sin(i / 5) + 0.05 * Math.sin(i * 1.7));
      const time =
        timeAs === 'ms' ? t : timeAs === 'date' ? new Date(t).toISOString().slice(0, 10) : new Date(t).toISOString();
      const bar: Record<string, unknown> = {
        time,
        open: c,
        high: c * 1.01,
        low: c * 0.99,
        close: c * 1.005,
        volume: i,
      };
      if (breakAt !== null && breakAt % n === i) bar.high = c * 0.5; // high below low: one bad row
      return bar;
    }),
  );

/** `arb` once in `oneIn` draws, null otherwise. */
function rarely<T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: fc.constant(null), weight: oneIn - 1 }, { arbitrary: arb, weight: 1 });
}

function resolve(doc: Json, schema: Json): Json {
  let s = schema;
  while (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop()!;
    s = (doc.components as { schemas: Record<string, Json> }).schemas[name]!;
  }
  return s;
}

/** A value for `schema` (valid for it most of the time, hostile otherwise); `name` gives domain hints. */
function valueOf(doc: Json, schema: Json, name: string, ctx: FuzzContext, depth = 0): fc.Arbitrary<unknown> {
  const valid = validOf(doc, resolve(doc, schema), name, ctx, depth);
  return fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: hostileJson, weight: 1 });
}

function validOf(doc: Json, s: Json, name: string, ctx: FuzzContext, depth: number): fc.Arbitrary<unknown> {
  if (
    s.type === 'array' &&
    (name === 'bars' || String(resolve(doc, (s.items as Json) ?? {}).description).includes('OHLCV'))
  )
    return bars;
  if (name === 'symbol' || name === 'symbols')
    return name === 'symbol' ? fc.constantFrom(...ctx.symbols) : fc.subarray([...ctx.symbols], { minLength: 1 });
  if (name === 'sourceUrl') return fc.constantFrom('http://127.0.0.1:9/bars.csv', 'ftp://x', 'not a url');
  if (name === 'config')
    return fc.constantFrom(
      {},
      { bi_strict: false },
      { divergence_rate: 'inf' },
      { seg_algo: 'chan' },
      { zs_algo: 'over_seg' },
    );
  if (name === 'from' || name === 'to' || name === 'historyFrom') return timeText;
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const variants = (s.oneOf ?? s.anyOf) as Json[] | undefined;
  if (variants) return fc.oneof(...variants.map((v) => validOf(doc, resolve(doc, v), name, ctx, depth)));
  const type = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string | undefined];
  const arbs = type.map((t): fc.Arbitrary<unknown> => {
    switch (t) {
      case 'object':
        return objectOf(doc, s, ctx, depth);
      case 'array': {
        if (depth > 3) return fc.constant([]);
        const min = (s.minItems as number | undefined) ?? 0;
        const max = Math.min((s.maxItems as number | undefined) ?? 4, min + 4);
        return fc.array(validOf(doc, resolve(doc, (s.items as Json) ?? {}), name, ctx, depth + 1), {
          minLength: min,
          maxLength: Math.max(min, max),
        });
      }
      case 'integer':
        return fc.integer({
          min: Math.max((s.minimum as number) ?? -1e6, -1e15),
          max: Math.min((s.maximum as number) ?? 1e6, 1e15),
        });
      case 'number':
        return fc.double({ min: -1e6, max: 1e6, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'string':
        if (typeof s.pattern === 'string') return fc.stringMatching(new RegExp(s.pattern));
        return fc.string({
          minLength: (s.minLength as number) ?? 0,
          maxLength: Math.min((s.maxLength as number) ?? 12, 12),
        });
      default:
        return hostileJson;
    }
  });
  return fc.oneof(...arbs);
}

function objectOf(doc: Json, s: Json, ctx: FuzzContext, depth: number): fc.Arbitrary<unknown> {
  const props = (s.properties as Record<string, Json> | undefined) ?? {};
  const required = new Set((s.required as string[] | undefined) ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, p] of Object.entries(props)) model[k] = valueOf(doc, p, k, ctx, depth + 1);
  const base = fc.record(model, {
    requiredKeys: Object.keys(props).filter((k) => required.has(k)),
  });
  // Sometimes a required key is dropped, sometimes unknown or prototype-named keys are added.
  return fc
    .tuple(
      base,
      rarely(fc.constantFrom(...required, 'none'), 12),
      rarely(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_NAMES), fc.string({ maxLength: 8 })), hostileJson), 8),
    )
    .map(([o, drop, extra]) => {
      const out = { ...(o as Record<string, unknown>) };
      if (drop !== null) delete out[drop];
      // defineProperty: "__proto__" must become an own key (as JSON.parse makes it), not the prototype.
      if (extra !== null) {
        const [k, v] = extra;
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return out;
    });
}

// ---------------------------------------------------------------------------------------------------------
// Bodies

/** Text-level damage to a JSON document: what a broken client or a hostile one sends. */
const malformJson = (text: string) =>
  fc.oneof(
    fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n)),
    fc.constant(`${text},`),
    fc.constant(text.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/, '1e999')),
    fc.constant(text.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/, 'NaN')),
    fc.constant(`[${text}]`),
    fc.constant(`{"a":${text}}`),
    fc.constant('['.repeat(20_000) + ']'.repeat(20_000)),
    fc.constant(`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`),
    fc.constant('\ufeff' + text),
    fc.constant(text.replace(/"/, "'")),
  );

const csvOf = (rows: Record<string, unknown>[]) =>
  [
    'time,open,high,low,close,volume',
    ...rows.map((b) => [b.time, b.open, b.high, b.low, b.close, b.volume].join(',')),
  ].join('\n');

const malformedCsv = fc.oneof(
  fc.constantFrom(
    'time,open,high,low,close',
    'date;open;high;low;close\n2020-01-01;1;2;0.5;1.5',
    'time,open,high,low,close\n2020-01-01,1,2',
    'time,open,high,low,close\n"2020-01-01","1,5",2,0.5,1.5',
    'time,open,high,low,close\n2020-01-01,NaN,Infinity,-Infinity,1e999',
    '\u0000\u0001\u0002',
    'open,high,low,close\n1,2,0.5,1.5',
    '__proto__,constructor,toString,valueOf,open\n1,2,3,4,5',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** A body of about `mb` megabytes: padded JSON, junk CSV rows, or a long run of one byte. */
const megabyteBody = fc
  .record({ mb: fc.constantFrom(1, 2, 6, 11), kind: fc.constantFrom('json-pad', 'csv-rows', 'bytes') })
  .map(({ mb, kind }) => {
    const n = mb * 1024 * 1024;
    if (kind === 'json-pad')
      return `{"bars":[{"time":1,"open":1,"high":1,"low":1,"close":1}],"pad":"${'x'.repeat(n)}"}`;
    if (kind === 'csv-rows') return `time,open,high,low,close\n${'2020-01-01,1,2,0.5,x\n'.repeat(Math.ceil(n / 22))}`;
    return 'a'.repeat(n);
  });

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/csv',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/vnd.api+json',
  'application/json; charset=utf-16',
  '*/*',
];

function bodyOf(doc: Json, op: Operation, ctx: FuzzContext): fc.Arbitrary<{ body?: string; contentType?: string }> {
  const none = fc.constant({});
  if (!op.body) {
    // Bodies on routes that take none (API Gateway passes them on).
    return fc.oneof(
      { arbitrary: none, weight: 12 },
      { arbitrary: fc.record({ body: fc.constant('{"a":1}') }), weight: 1 },
    );
  }
  const content = op.body.content;
  const json = content['application/json']
    ? valueOf(doc, content['application/json'].schema, op.path.includes('/klines/') ? 'bars' : '', ctx)
        .map((v) => JSON.stringify(v) ?? 'null')
        .chain((text) =>
          fc.oneof({ arbitrary: fc.constant(text), weight: 8 }, { arbitrary: malformJson(text), weight: 2 }),
        )
    : fc.constant('{}');
  const csv = content['text/csv'] ? fc.oneof(bars.map(csvOf), malformedCsv) : undefined;
  const typed = (b: fc.Arbitrary<string>, ct: string) =>
    fc.record({
      body: b,
      contentType: fc.oneof(
        { arbitrary: fc.constant(ct), weight: 6 },
        { arbitrary: fc.constantFrom(...CONTENT_TYPES, ''), weight: 1 },
      ),
    });
  return fc.oneof(
    { arbitrary: typed(json, 'application/json'), weight: 10 },
    ...(csv ? [{ arbitrary: typed(csv, 'text/csv'), weight: 5 }] : []),
    { arbitrary: none, weight: 1 },
    { arbitrary: fc.record({ body: fc.constantFrom('', ' ', 'null', '[]', '{}', 'true', '"x"') }), weight: 1 },
    { arbitrary: typed(megabyteBody, 'application/json'), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------------------
// Whole requests

function paramValue(doc: Json, p: Operation['params'][number], ctx: FuzzContext, write: boolean): fc.Arbitrary<string> {
  const s = resolve(doc, p.schema);
  let valid: fc.Arbitrary<string>;
  if (p.name === 'symbol') valid = fc.constantFrom(...ctx.symbols, ...(write ? [] : ctx.readOnlySymbols));
  else if (p.name === 'interval')
    valid = fc.oneof(
      { arbitrary: fc.constant('1d'), weight: 4 },
      { arbitrary: validOf(doc, s, p.name, ctx, 0) as fc.Arbitrary<string>, weight: 1 },
    );
  else if (p.name === 'from' || p.name === 'to') valid = timeText;
  else if (p.name === 'include') valid = fc.subarray(['bars', 'mergedBars', 'fractals', 'all']).map((a) => a.join(','));
  else if (p.name === 'limit') valid = fc.integer({ min: 1, max: 600 }).map(String);
  else if (p.name === 'config') valid = validOf(doc, {}, 'config', ctx, 0).map((v) => JSON.stringify(v));
  else valid = validOf(doc, s, p.name, ctx, 0).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: hostileText, weight: 1 });
}

export function requestArb(doc: Json, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const ops = operationsOf(doc);
  return fc.oneof(...ops.map((op) => requestOf(doc, op, ctx)));
}

function requestOf(doc: Json, op: Operation, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const write = op.method !== 'GET';
  const pathArbs = op.params
    .filter((p) => p.in === 'path')
    .map((p) => paramValue(doc, p, ctx, write).map((v) => [p.name, v] as [string, string]));
  const queryArbs = op.params
    .filter((p) => p.in === 'query')
    .map((p) =>
      p.required
        ? fc.oneof(
            { arbitrary: paramValue(doc, p, ctx, write).map((v) => [p.name, v] as [string, string]), weight: 20 },
            { arbitrary: fc.constant(null), weight: 1 },
          )
        : rarely(
            paramValue(doc, p, ctx, write).map((v) => [p.name, v] as [string, string]),
            2,
          ),
    );
  const unknownQuery = fc.oneof(
    { arbitrary: fc.constant([] as [string, string][]), weight: 6 },
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_NAMES), fc.string({ maxLength: 10 })), hostileText), {
      minLength: 1,
      maxLength: 2,
    }),
  );
  const key = op.apiKey
    ? fc.oneof(
        { arbitrary: fc.constant([['x-api-key', ctx.apiKey]] as [string, string][]), weight: 10 },
        { arbitrary: fc.constant([] as [string, string][]), weight: 1 },
        { arbitrary: fc.constant([['x-api-key', 'wrong']] as [string, string][]), weight: 1 },
      )
    : fc.constant([] as [string, string][]);
  // Header values must be valid HTTP: printable ASCII only.
  const extraHeaders = fc.array(
    fc.tuple(
      fc.constantFrom(...PROTO_NAMES, 'x-forwarded-for', 'origin', 'accept', 'x-amz-date'),
      fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 30 }),
    ),
    { maxLength: 2 },
  );
  return fc
    .record({
      path: fc.tuple(...pathArbs),
      query: fc.tuple(...queryArbs),
      unknown: unknownQuery,
      repeat: fc.nat(9).map((n) => n === 0),
      key,
      extraHeaders,
      body: bodyOf(doc, op, ctx),
    })
    .map(({ path, query, unknown, repeat, key, extraHeaders, body }) => {
      const q = [...query.filter((x): x is [string, string] => x !== null), ...unknown];
      if (repeat && q.length > 0) q.push([q[0]![0], `${q[0]![1]}x`]);
      const headers: [string, string][] = [...key, ...extraHeaders];
      if (body.contentType) headers.push(['content-type', body.contentType]);
      return {
        op: `${op.method} ${op.path}`,
        method: op.method,
        resource: op.path,
        pathParams: path,
        query: q,
        headers,
        ...(body.body !== undefined ? { body: body.body } : {}),
      };
    });
}

/** Lone surrogates replaced by U+FFFD, as a UTF-8 transport delivers them (String.prototype.toWellFormed). */
export const wellFormed = (s: string) =>
  s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

/** Percent-encoding that also takes lone surrogates (encodeURIComponent throws on them). */
const enc = (s: string) => encodeURIComponent(wellFormed(s));

/** The request target (path and query string) for HTTP. */
export function targetOf(r: FuzzRequest): string {
  let path = r.resource;
  for (const [k, v] of r.pathParams) path = path.replace(`{${k}}`, enc(v));
  const qs = r.query.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  return qs ? `${path}?${qs}` : path;
}

/** What the gateway would hand the function for this request: path parameters as decoded, the query as sent. */
export function gatewayQuery(r: FuzzRequest): [string, string][] {
  return r.query.map(([k, v]) => [wellFormed(k), wellFormed(v)]);
}

/** Short description for failure messages. */
export function describeRequest(r: FuzzRequest): string {
  const body = r.body === undefined ? '' : ` body(${r.body.length} chars)=${JSON.stringify(r.body.slice(0, 300))}`;
  return `${r.method} ${targetOf(r).slice(0, 500)} headers=${JSON.stringify(r.headers)}${body}`;
}
