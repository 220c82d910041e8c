import fc from 'fast-check';
import {
  INJECTION_NAMES,
  asHeaderBytes,
  hostileString,
  injectedHeaderValue,
  jsonText,
  malformedJson,
  mutationOf,
  oversizedBody,
  wrongContentType,
} from './arbitraries';
import {
  checkCase,
  orderCompletes,
  runParameters,
  startBadInputWorld,
  type BadCase,
  type BadInputWorld,
} from './bad-input-system';
import type { RawRequest } from './raw-http';

/** A route of the public API with a request it accepts, from which each case departs. */
interface EdgeRoute {
  method: string;
  /** with `:name` for each path parameter */
  path: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

const now = new Date().toISOString();

/** Every path routing.yaml gives the gateway, and the gateway's own. */
const ROUTES: EdgeRoute[] = [
  {
    method: 'POST',
    path: '/orders',
    body: {
      customerId: 'c-bad-input',
      region: 'eu-west',
      items: [{ sku: 'bad-input-sku', quantity: 1, unitPrice: 100 }],
    },
  },
  { method: 'GET', path: '/orders/:orderId', params: { orderId: 'o-1' } },
  {
    method: 'GET',
    path: '/orders/projections/order-view/parked',
    query: { after: '0', limit: '10' },
  },
  {
    method: 'POST',
    path: '/orders/projections/order-view/parked/:position/replay',
    params: { position: '1' },
  },
  { method: 'POST', path: '/orders/projections/order-view/rebuild' },
  {
    method: 'PUT',
    path: '/inventory/:sku',
    params: { sku: 'bad-input-sku' },
    body: { available: 3 },
  },
  { method: 'GET', path: '/inventory/:sku', params: { sku: 'bad-input-sku' } },
  { method: 'PUT', path: '/flags/:key', params: { key: 'bad-input' }, body: { enabled: true } },
  { method: 'GET', path: '/flags/:key', params: { key: 'bad-input' } },
  { method: 'GET', path: '/flags' },
  {
    method: 'POST',
    path: '/transactions',
    body: {
      transactionId: 't-bad-input',
      customerId: 'c-bad-input',
      amount: 1200,
      currency: 'EUR',
      merchant: 'm-1',
      country: 'FR',
      at: now,
    },
  },
  { method: 'GET', path: '/transactions/:transactionId', params: { transactionId: 't-1' } },
  {
    method: 'POST',
    path: '/transactions/:transactionId/review',
    params: { transactionId: 't-bad-input' },
    body: { approve: true },
  },
  {
    method: 'POST',
    path: '/telemetry',
    body: { readings: [{ deviceId: 'd-1', metric: 'temperature', value: 21.5, at: now }] },
  },
  { method: 'GET', path: '/devices/:id', params: { id: 'd-1' } },
  {
    method: 'GET',
    path: '/devices/:id/series',
    params: { id: 'd-1' },
    query: { metric: 'temperature', step: '60' },
  },
  { method: 'GET', path: '/alerts', query: { deviceId: 'd-1', limit: '10' } },
  {
    method: 'PUT',
    path: '/workflows/:name',
    params: { name: 'bad-input' },
    body: {
      StartAt: 'Echo',
      States: {
        Echo: {
          Type: 'Task',
          Resource: 'eventline:dev.eventline.workflows.echo-requested',
          Parameters: { 'orderId.$': '$.orderId' },
          End: true,
        },
      },
    },
  },
  {
    method: 'POST',
    path: '/workflows/:name/executions',
    params: { name: 'bad-input' },
    body: { input: { orderId: 'o-1' } },
  },
  { method: 'GET', path: '/executions/:id', params: { id: 'e-1' } },
  { method: 'POST', path: '/executions/:id/stop', params: { id: 'e-1' }, body: {} },
  {
    method: 'POST',
    path: '/carts/:cartId/items',
    params: { cartId: 'bad-input-cart' },
    body: { sku: 'bad-input-sku', quantity: 1, unitPrice: 100 },
  },
  {
    method: 'DELETE',
    path: '/carts/:cartId/items/:sku',
    params: { cartId: 'bad-input-cart', sku: 'bad-input-sku' },
  },
  { method: 'GET', path: '/carts/:cartId', params: { cartId: 'bad-input-cart' } },
  {
    method: 'POST',
    path: '/carts/:cartId/checkout',
    params: { cartId: 'bad-input-cart' },
    body: { customerId: 'c-bad-input', region: 'eu-west' },
  },
  {
    method: 'POST',
    path: '/pos/purchases',
    body: {
      storeId: 'store-bad-input',
      customerId: 'c-bad-input',
      items: [{ sku: 'bad-input-sku', quantity: 1, unitPrice: 100 }],
      payment: { method: 'card' },
    },
  },
  { method: 'GET', path: '/pos/purchases/:purchaseId', params: { purchaseId: 'p-1' } },
  {
    method: 'PUT',
    path: '/products/:sku',
    params: { sku: 'bad-input-sku' },
    body: {
      name: 'Bad input',
      price: 100,
      dimensions: { widthMm: 10, heightMm: 10, depthMm: 10, weightG: 10 },
      // a 1x1 PNG
      image: {
        contentType: 'image/png',
        data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC',
      },
    },
  },
  { method: 'GET', path: '/products/:sku', params: { sku: 'bad-input-sku' } },
  {
    method: 'GET',
    path: '/products/:sku/images/:size',
    params: { sku: 'bad-input-sku', size: 'small' },
  },
  { method: 'GET', path: '/customers/:customerId', params: { customerId: 'c-bad-input' } },
  { method: 'GET', path: '/central/inventory/:sku', params: { sku: 'bad-input-sku' } },
  { method: 'GET', path: '/dead-letters', query: { after: '0', limit: '10', pending: 'true' } },
  { method: 'GET', path: '/dead-letters/:letterId', params: { letterId: '1' } },
  { method: 'POST', path: '/dead-letters/:letterId/replay', params: { letterId: '1' } },
  { method: 'GET', path: '/ui' },
  { method: 'GET', path: '/ui/' },
  { method: 'GET', path: '/ui/:asset', params: { asset: 'index.html' } },
  { method: 'GET', path: '/catalog' },
  { method: 'GET', path: '/catalog.html' },
  { method: 'GET', path: '/admin/overview' },
  { method: 'GET', path: '/metrics' },
];

/** A string's UTF-8 percent-encoded; a lone surrogate as the bytes of U+FFFD, as Node writes it. */
const percentEncoded = (value: string) =>
  [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

function targetOf(route: EdgeRoute, params = route.params, query = route.query): string {
  let path = route.path;
  for (const [name, value] of Object.entries(params ?? {})) path = path.replace(`:${name}`, value);
  const search = query
    ? Object.entries(query)
        .map(([k, v]) => `${k}=${v}`)
        .join('&')
    : '';
  return search ? `${path}?${search}` : path;
}

function validRequest(route: EdgeRoute): RawRequest {
  return {
    method: route.method,
    target: targetOf(route),
    headers: route.body === undefined ? [] : [['content-type', 'application/json']],
    body: route.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(route.body)),
  };
}

/** A path parameter or query value as a client could spell it, encoded or raw. */
const hostileUrlPart: fc.Arbitrary<string> = fc.oneof(
  hostileString.map(percentEncoded),
  fc.constantFrom(
    '%zz',
    '%',
    '%ED%A0%80',
    '%C0%80',
    '%FF',
    '%00',
    '..',
    '%2e%2e%2f',
    '%2F',
    'x'.repeat(20_000),
    '\u00e9',
  ),
);

function casesOf(route: EdgeRoute): fc.Arbitrary<BadCase>[] {
  const valid = validRequest(route);
  // a blank line smuggled into the head cuts the body off: its fields go missing
  const bodyFields =
    route.body !== null && typeof route.body === 'object' ? Object.keys(route.body) : [];
  const cases: fc.Arbitrary<BadCase>[] = [
    fc
      .record({
        name: fc.constantFrom('idempotency-key', 'traceparent', 'x-note', 'accept'),
        value: injectedHeaderValue,
      })
      .map(({ name, value }) => ({
        request: { ...valid, headers: [...valid.headers, [name, value]] },
        names: [...INJECTION_NAMES, ...bodyFields, name],
      })),
    fc
      .record({
        name: fc.constantFrom('idempotency-key', 'traceparent', 'content-length', 'content-type'),
        value: fc.oneof(hostileString, fc.constantFrom('1', '0', '999999', '-1', 'text/plain')),
      })
      .map(({ name, value }) => ({
        request: {
          ...valid,
          headers: [...valid.headers, [name, asHeaderBytes(value)]] as Array<[string, string]>,
        },
        names: [...INJECTION_NAMES, ...bodyFields, name, 'content-type', 'charset', 'length'],
      })),
    fc
      .constantFrom('DELETE', 'PATCH', 'OPTIONS', 'FOO', 'CONNECT', 'PUT', 'POST')
      .map((method) => ({
        request: { ...valid, method },
        names: ['method', 'route', method, 'only', 'no ', 'body'],
      })),
    fc
      .constantFrom(
        '//[',
        '/%',
        '*',
        'http://elsewhere/orders',
        '/../orders',
        '//admin/overview',
        '/admin/%ff',
        '/orders?%',
      )
      .map((target) => ({ request: { ...valid, target }, names: [] })),
    fc.boolean().map((chunked) => ({ request: { ...valid, chunked }, names: [] })),
  ];
  const params = Object.keys(route.params ?? {});
  if (params.length > 0)
    cases.push(
      fc
        .record({ name: fc.constantFrom(...params), value: hostileUrlPart })
        .map(({ name, value }) => ({
          request: { ...valid, target: targetOf(route, { ...route.params, [name]: value }) },
          names: [name, 'no ', 'id', 'key', 'sku', 'path', 'param', 'request target', 'asset'],
        })),
    );
  const query = Object.keys(route.query ?? {});
  if (query.length > 0)
    cases.push(
      fc
        .record({
          name: fc.constantFrom(...query),
          value: hostileUrlPart,
          repeated: fc.boolean(),
        })
        .map(({ name, value, repeated }) => {
          const target = targetOf(route, route.params, { ...route.query, [name]: value });
          return {
            request: { ...valid, target: repeated ? `${target}&${name}=1` : target },
            names: [name, 'request target', 'param'],
          };
        }),
    );
  if (route.body !== undefined) {
    const text = JSON.stringify(route.body);
    cases.push(
      mutationOf(route.body).map((m) => ({
        request: { ...valid, body: Buffer.from(jsonText(m.value)) },
        names: m.names,
      })),
      malformedJson(text).map((body) => ({ request: { ...valid, body }, names: ['json'] })),
      wrongContentType.map((type) => ({
        request: {
          ...valid,
          headers: type === undefined ? [] : ([['content-type', type]] as Array<[string, string]>),
        },
        names: ['content-type', 'charset', 'json'],
      })),
      oversizedBody.map((body) => ({ request: { ...valid, body }, names: ['larger', 'limit'] })),
      fc.constantFrom('text/plain', 'application/xml').map((second) => ({
        request: {
          ...valid,
          headers: [...valid.headers, ['content-type', second]] as Array<[string, string]>,
        },
        names: ['content-type'],
      })),
    );
  }
  return cases;
}

describe('every edge route of the gateway, given generated bad input', () => {
  let world: BadInputWorld;

  beforeAll(async () => {
    world = await startBadInputWorld();
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
  });

  it('answers each case with a 2xx or a 4xx naming the problem, and an order still completes', async () => {
    const edge = world.system.edgeUrl;
    const cases = fc
      .constantFrom(...ROUTES)
      .chain((route) =>
        fc.oneof(...casesOf(route)).map((c) => ({ ...c, valid: validRequest(route) })),
      );
    await fc.assert(
      fc.asyncProperty(cases, (badCase) => checkCase(edge, badCase)),
      runParameters('edge routes'),
    );
    expect(await orderCompletes(world)).toBe('COMPLETED');
  }, 300_000);
});
