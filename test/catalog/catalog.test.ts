// The event catalog as others read it: the schema files published and the generated files fresh
// (the check CI runs), the AsyncAPI 3.0 document valid for a maintained parser and complete for
// routing.yaml, and the gateway answering it at /catalog.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { eventCatalog, OrderPlaced } from '@eventline/events';
import { loadRouting, triggers } from '@eventline/routing';
import { catalogDocument, catalogResponder, startGateway, type Gateway } from '@eventline/runtime';
import { repositoryRoot } from '../support/repository';

const root = repositoryRoot();
const routing = loadRouting();
const document = catalogDocument(routing, { namespace: 'eventline' });
type Operation = { action: string; channel: { $ref: string }; messages: Array<{ $ref: string }> };
const operations = Object.entries(document.operations as Record<string, Operation>);

describe('the event catalog', () => {
  it('given the repository, when checked as CI does, then every schema is published and every generated file is fresh', () => {
    const check = spawnSync(process.execPath, [path.join(root, 'scripts/catalog.mjs'), 'check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(check.stderr).toContain(
      `catalog: ${eventCatalog.length} types, each published and generated`,
    );
    expect(check.status).toBe(0);
  });

  it('given the chart, then its AsyncAPI file is the document of the catalog and routing.yaml', () => {
    const file = JSON.parse(
      readFileSync(path.join(root, 'charts/eventline/files/asyncapi.json'), 'utf8'),
    );
    expect(file).toEqual(document);
  });

  it('given the AsyncAPI document, when @asyncapi/parser reads it, then it is valid AsyncAPI 3.0 with no error', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
    expect(parsed?.channels().length).toBe(eventCatalog.length);
    const placed = parsed?.channels().get(OrderPlaced.type);
    expect(placed?.address()).toBe(OrderPlaced.type);
    expect(
      placed
        ?.messages()
        .all()
        .map((m) => m.payload()?.id()),
    ).toContain(OrderPlaced.dataschema);
  });

  it('given routing.yaml, then each emitted type has a send operation and each trigger a receive operation on its channel', () => {
    const channelOf = (op: Operation) => op.channel.$ref.replace('#/channels/', '');
    for (const route of routing.handlers)
      for (const type of route.emits.filter((t) => t !== '*')) {
        const send = operations.find(([id]) => id === `${route.name}.sends.${type}`)?.[1];
        expect(send && { action: send.action, channel: channelOf(send) }).toEqual({
          action: 'send',
          channel: type,
        });
      }
    for (const route of triggers(routing)) {
      const receive = operations.find(([id]) => id === `${route.name}.receives`)?.[1];
      expect(receive && { action: receive.action, channel: channelOf(receive) }).toEqual({
        action: 'receive',
        channel: route.type,
      });
    }
  });

  describe('served by the local gateway', () => {
    let gateway: Gateway;
    beforeAll(async () => {
      gateway = await startGateway([], '127.0.0.1', 0, { own: catalogResponder(document) });
    });
    afterAll(() => gateway?.close());

    it('given GET /catalog, then the AsyncAPI document as JSON', async () => {
      const response = await fetch(`${gateway.url}/catalog`);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await response.json()).toEqual(document);
    });

    it('given GET /catalog from a browser, or /catalog.html, then a page naming every type, its producers and consumers', async () => {
      const negotiated = await fetch(`${gateway.url}/catalog`, {
        headers: { accept: 'text/html,application/xhtml+xml,application/json;q=0.9' },
      });
      expect(negotiated.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await (await fetch(`${gateway.url}/catalog.html`)).text();
      expect(await negotiated.text()).toBe(html);
      for (const definition of eventCatalog)
        expect(html).toContain(`<section id="${definition.type}">`);
      const placed = html
        .slice(html.indexOf(`<section id="${OrderPlaced.type}">`))
        .split('</section>')[0];
      expect(placed).toMatch(/<h3>Producers<\/h3><ul><li><code>orders-api<\/code> \(v1\)/);
      for (const consumer of ['notify-customer', 'revenue-analytics', 'review-high-value'])
        expect(placed).toContain(`<code>${consumer}</code> (v1)`);
      expect(placed).toContain(OrderPlaced.dataschema);
    });

    it('given GET on a dataschema path, then that version of the schema', async () => {
      const response = await fetch(`${gateway.url}/catalog/schemas/${OrderPlaced.type}/v1.json`);
      expect(response.headers.get('content-type')).toBe('application/schema+json; charset=utf-8');
      expect(await response.json()).toEqual(OrderPlaced.versions[0]?.schema);
      expect(
        (await fetch(`${gateway.url}/catalog/schemas/${OrderPlaced.type}/v9.json`)).status,
      ).toBe(404);
    });
  });
});
