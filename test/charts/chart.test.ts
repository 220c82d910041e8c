// The Helm chart, checked offline: lint, render every value set, validate every object against the
// Kubernetes and Knative/Kafka schemas kept in the repo, and check the routing it renders.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadRouting, routingOfSite, senderGrants, type SenderGrant } from '@eventline/routing';
import { catalogDocument } from '@eventline/runtime';
import {
  brokenValueSet,
  chartDir,
  ensureTools,
  helmTemplate,
  K8sObject,
  kubeconform,
  parseManifests,
  readRouting,
  run,
  toolBuildTimeoutMs,
  valueSets,
} from './tools';

const ciFile = (name: string) => join(chartDir, 'ci', name);

function render(valuesFiles: string[], extraArgs: string[] = [], chart = chartDir): K8sObject[] {
  const result = helmTemplate(valuesFiles, extraArgs, chart);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseManifests(result.stdout);
}

const ofKind = (objects: K8sObject[], apiVersion: string, kind: string) =>
  objects.filter((o) => o.apiVersion === apiVersion && o.kind === kind);
const byName = (objects: K8sObject[]) => new Map(objects.map((o) => [o.metadata.name, o]));

beforeAll(() => {
  const versions = ensureTools();
  console.log(`chart tests use ${versions.helm} and kubeconform ${versions.kubeconform}`);
}, toolBuildTimeoutMs);

describe('value sets', () => {
  it('has at least the defaults, a production-like and a minimal set', () => {
    expect(valueSets()).toEqual(
      expect.arrayContaining([
        'default-values.yaml',
        'minimal-values.yaml',
        'production-values.yaml',
      ]),
    );
  });

  it.each(valueSets())('%s passes helm lint --strict', (set) => {
    const result = run('helm', ['lint', '--strict', chartDir, '--values', ciFile(set)]);
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it.each(valueSets())('%s renders objects that all validate against their schemas', (set) => {
    const rendered = helmTemplate([ciFile(set)]);
    expect(rendered.stderr).toBe('');
    expect(rendered.status).toBe(0);
    const count = parseManifests(rendered.stdout).length;
    const result = kubeconform(rendered.stdout);
    expect(result.stdout).toContain(
      `${count} resources found parsing stdin - Valid: ${count}, Invalid: 0, Errors: 0, Skipped: 0`,
    );
    expect(result.status).toBe(0);
  });

  it('rejects the deliberately broken value set in schema validation', () => {
    // It passes values.schema.json and renders; the Kubernetes schema catches the bad fields.
    const rendered = helmTemplate([ciFile(brokenValueSet)]);
    expect(rendered.status).toBe(0);
    const result = kubeconform(rendered.stdout);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/Service flags-api is invalid/);
    expect(result.stdout).toMatch(/additional properties 'valu' not allowed/);
    expect(result.stdout).toMatch(/additional properties 'limit' not allowed/);
  });

  it('fails on an object kind that has no schema in the repo', () => {
    const unknown = 'apiVersion: example.dev/v1\nkind: Gadget\nmetadata:\n  name: x\n';
    const result = kubeconform(unknown);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/could not find schema for Gadget/);
  });

  it('rejects values that break values.schema.json before rendering', () => {
    const result = helmTemplate(
      [],
      ['--set', 'handlers.flags-api.autoscaling.minScale=-1', '--set', 'broker.kafka.partitions=0'],
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('/handlers/flags-api/autoscaling/minScale');
    expect(result.stderr).toContain('/broker/kafka/partitions');
  });

  it('rejects a values block for a handler routing.yaml does not have', () => {
    const result = helmTemplate([], ['--set', 'handlers.flags-apy.containerConcurrency=1']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      'values handlers.flags-apy: no handler of that name in routing.yaml',
    );
  });
});

describe('routing.yaml rendered with the defaults', () => {
  const routing = readRouting();
  const handlers = Object.entries(routing.handlers);
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render([ciFile('default-values.yaml')]);
  });

  it('gives every handler a Knative Service running its package with EVENTLINE_HANDLER', () => {
    const services = byName(ofKind(objects, 'serving.knative.dev/v1', 'Service'));
    expect([...services.keys()].sort()).toEqual(handlers.map(([name]) => name).sort());
    for (const [name, entry] of handlers) {
      const container = services.get(name)!.spec.template.spec.containers[0];
      expect(container.args).toEqual([`services/${entry.package}/dist/main.js`]);
      expect(container.image).toBe(`eventline-${entry.package}:0.1.0`);
      expect(container.env).toEqual(
        expect.arrayContaining([{ name: 'EVENTLINE_HANDLER', value: name }]),
      );
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    }
  });

  it('scales every handler to zero by default', () => {
    for (const service of ofKind(objects, 'serving.knative.dev/v1', 'Service')) {
      expect(service.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale']).toBe(
        '0',
      );
    }
  });

  it('runs every container non-root with a read-only root filesystem, no capabilities, seccomp RuntimeDefault', () => {
    const containers = objects.flatMap((o) =>
      o.kind === 'Pod' ? o.spec.containers : (o.spec?.template?.spec?.containers ?? []),
    );
    expect(containers.length).toBeGreaterThan(0);
    for (const container of containers) {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
    }
  });

  it('mounts no path Knative Serving reserves, and points TMPDIR at the scratch volume', () => {
    // knative.dev/serving pkg/apis/serving/k8s_validation.go reservedPaths up to 1.12; 1.13 and
    // later reserve /, /dev and /dev/log only (knative-validate runs the pinned release's).
    const reserved = ['/', '/dev', '/dev/log', '/tmp', '/var', '/var/log'];
    for (const service of ofKind(objects, 'serving.knative.dev/v1', 'Service')) {
      const container = service.spec.template.spec.containers[0];
      for (const mount of container.volumeMounts ?? [])
        expect(reserved).not.toContain(mount.mountPath.replace(/\/+$/, '') || '/');
      expect(container.env).toEqual(
        expect.arrayContaining([{ name: 'TMPDIR', value: '/scratch' }]),
      );
    }
  });

  it('keeps non-edge handlers cluster-local', () => {
    for (const service of ofKind(objects, 'serving.knative.dev/v1', 'Service')) {
      const kind = routing.handlers[service.metadata.name]!.kind;
      const visibility = service.metadata.labels?.['networking.knative.dev/visibility'];
      expect(visibility).toBe(kind === 'edge' ? undefined : 'cluster-local');
    }
  });

  it('gives every trigger handler a Trigger that filters its type and dead-letters to a handler', () => {
    const triggers = byName(ofKind(objects, 'eventing.knative.dev/v1', 'Trigger'));
    const triggerHandlers = handlers.filter(([, entry]) => entry.kind === 'trigger');
    const jobHandlers = handlers.filter(([, entry]) => entry.kind === 'job');
    expect([...triggers.keys()].sort()).toEqual(
      [...triggerHandlers, ...jobHandlers].map(([name]) => name).sort(),
    );
    for (const [name, entry] of triggerHandlers) {
      const trigger = triggers.get(name)!;
      expect(trigger.spec.broker).toBe(routing.broker.name);
      expect(trigger.spec.filter.attributes).toEqual({ type: entry.type });
      expect(trigger.spec.subscriber.ref).toEqual({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        name,
      });
      expect(trigger.metadata.annotations!['kafka.eventing.knative.dev/delivery.order']).toBe(
        entry.ordered ? 'ordered' : 'unordered',
      );
    }
  });

  it("gives every job a PingSource on its schedule into the broker, and a Trigger taking only that PingSource's ticks", () => {
    const jobs = handlers.filter(([, entry]) => entry.kind === 'job');
    expect(jobs.length).toBeGreaterThan(0);
    const pingSources = byName(ofKind(objects, 'sources.knative.dev/v1', 'PingSource'));
    const triggers = byName(ofKind(objects, 'eventing.knative.dev/v1', 'Trigger'));
    const services = byName(ofKind(objects, 'serving.knative.dev/v1', 'Service'));
    expect([...pingSources.keys()].sort()).toEqual(jobs.map(([name]) => name).sort());
    for (const [name, entry] of jobs) {
      const source = pingSources.get(name)!;
      expect(source.spec.schedule).toBe(entry.schedule);
      expect(source.spec.sink.ref).toEqual({
        apiVersion: 'eventing.knative.dev/v1',
        kind: 'Broker',
        name: routing.broker.name,
      });
      expect(triggers.get(name)!.spec.filter.attributes).toEqual({
        type: 'dev.knative.sources.ping',
        source: `/apis/v1/namespaces/eventline/pingsources/${name}`,
      });
      // A job's pod goes soon after its run rather than staying up until the next tick.
      expect(
        services.get(name)!.spec.template.metadata.annotations['autoscaling.knative.dev/window'],
      ).toBe('6s');
    }
  });

  it('gives every Trigger a dead-letter sink that is a rendered Knative Service', () => {
    const services = byName(ofKind(objects, 'serving.knative.dev/v1', 'Service'));
    const triggers = ofKind(objects, 'eventing.knative.dev/v1', 'Trigger');
    expect(triggers.length).toBeGreaterThan(0);
    for (const trigger of triggers) {
      const ref = trigger.spec.delivery.deadLetterSink.ref;
      expect(ref).toMatchObject({ apiVersion: 'serving.knative.dev/v1', kind: 'Service' });
      expect(services.has(ref.name)).toBe(true);
    }
  });

  it('binds every handler that emits to the broker', () => {
    const bindings = ofKind(objects, 'sources.knative.dev/v1', 'SinkBinding');
    const emitters = handlers
      .filter(([, entry]) => (entry.emits ?? []).length > 0)
      .map(([name]) => name);
    expect(bindings.map((b) => b.spec.subject.name).sort()).toEqual(emitters.sort());
    for (const binding of bindings) {
      expect(binding.spec.sink.ref).toEqual({
        apiVersion: 'eventing.knative.dev/v1',
        kind: 'Broker',
        name: routing.broker.name,
      });
    }
  });

  it('renders a Kafka-class Broker with its topic config', () => {
    const [broker] = ofKind(objects, 'eventing.knative.dev/v1', 'Broker');
    expect(broker!.metadata.annotations!['eventing.knative.dev/broker.class']).toBe('Kafka');
    const config = byName(ofKind(objects, 'v1', 'ConfigMap')).get(broker!.spec.config.name)!;
    expect(Object.keys(config.data!).sort()).toEqual(
      expect.arrayContaining([
        'bootstrap.servers',
        'default.topic.partitions',
        'default.topic.replication.factor',
      ]),
    );
  });

  it('renders the event catalog as a ConfigMap holding the AsyncAPI document of the catalog and routing.yaml', () => {
    const catalog = ofKind(objects, 'v1', 'ConfigMap').find((o) =>
      o.metadata.name.endsWith('-catalog'),
    );
    const document = JSON.parse(catalog!.data!['asyncapi.json']!);
    expect(document).toEqual(catalogDocument(loadRouting(), { namespace: 'eventline' }));
    expect(Object.keys(document.channels)).toEqual(
      expect.arrayContaining(Object.values(routing.handlers).flatMap((h) => h.type ?? [])),
    );
  });

  it('runs one migration hook Job per service package before install and upgrade', () => {
    const jobs = ofKind(objects, 'batch/v1', 'Job');
    const packages = [...new Set(handlers.map(([, entry]) => entry.package))].sort();
    expect(jobs.map((j) => j.metadata.labels!['eventline.dev/package']).sort()).toEqual(packages);
    for (const job of jobs) {
      expect(job.metadata.annotations!['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      const pkg = job.metadata.labels!['eventline.dev/package'];
      expect(job.spec.template.spec.containers[0].args).toEqual([
        `services/${pkg}/dist/main.js`,
        'migrate',
      ]);
      // one role runs everything: the URL the chart builds, no runtime role to grant
      const env = job.spec.template.spec.containers[0].env;
      expect(env).toEqual(
        expect.arrayContaining([
          {
            name: 'DATABASE_URL',
            valueFrom: { secretKeyRef: { name: 'eventline-migrate-postgres', key: 'url' } },
          },
        ]),
      );
      expect(env.map((e: { name: string }) => e.name)).not.toContain('EVENTLINE_RUNTIME_ROLE');
    }
  });

  it('denies all traffic by default and has a helm test pod for the edge API', () => {
    const policies = ofKind(objects, 'networking.k8s.io/v1', 'NetworkPolicy');
    const deny = policies.find((p) => p.metadata.name.endsWith('-default-deny'))!;
    expect(deny.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(deny.spec.ingress).toBeUndefined();
    expect(deny.spec.egress).toBeUndefined();
    const [testPod] = ofKind(objects, 'v1', 'Pod');
    expect(testPod!.metadata.annotations!['helm.sh/hook']).toBe('test');
    expect(testPod!.spec.containers[0].env).toEqual([
      { name: 'EDGE_URL', value: 'http://flags-api.eventline.svc.cluster.local/healthz' },
    ]);
  });
});

describe('sender authorization (EventPolicies) rendered with the defaults', () => {
  const routing = loadRouting(join(chartDir, 'routing.yaml'));
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render([ciFile('default-values.yaml')]);
  });
  const policyKind: Record<SenderGrant['kind'], string> = {
    handler: 'handler',
    'ping-source': 'pingsource',
    'kafka-source': 'kafkasource',
  };
  const typesOf = (policy: K8sObject): string[] | 'any' =>
    policy.spec.filters === undefined
      ? 'any'
      : (policy.spec.filters as Array<{ any: Array<{ exact: { type: string } }> }>)
          .flatMap((f) => f.any.map((e) => e.exact.type))
          .sort();

  it('gives every handler a ServiceAccount of its own, and each that emits a rotated token for the broker audience, read by the kit', () => {
    const accounts = ofKind(objects, 'v1', 'ServiceAccount').map((a) => a.metadata.name);
    expect(accounts.sort()).toEqual(
      [...routing.handlers.map((h) => `eventline-${h.name}`), 'eventline-migrate'].sort(),
    );
    for (const service of ofKind(objects, 'serving.knative.dev/v1', 'Service')) {
      const name = service.metadata.name;
      const pod = service.spec.template.spec;
      expect(pod.serviceAccountName).toBe(`eventline-${name}`);
      const emits = routing.handlers.find((h) => h.name === name)!.emits.length > 0;
      const volume = (pod.volumes as K8sObject[]).find((v) => v.name === 'sender-token');
      const env = pod.containers[0].env as Array<{ name: string; value?: string }>;
      const tokenFile = env.find((e) => e.name === 'EVENTLINE_SENDER_TOKEN_FILE')?.value;
      if (!emits) {
        expect([volume, tokenFile]).toEqual([undefined, undefined]);
        continue;
      }
      expect(volume!.projected.sources).toEqual([
        {
          serviceAccountToken: {
            audience: 'eventing.knative.dev/broker/eventline/default',
            expirationSeconds: 3600,
            path: 'token',
          },
        },
      ]);
      const mount = (pod.containers[0].volumeMounts as K8sObject[]).find(
        (m) => m.name === 'sender-token',
      );
      expect(`${mount!.mountPath}/token`).toBe(tokenFile);
    }
  });

  it("renders one EventPolicy on the broker per sender, granting what the local broker grants (routing's senderGrants), and no other", () => {
    const policies = byName(ofKind(objects, 'eventing.knative.dev/v1alpha1', 'EventPolicy'));
    // the default release runs every site: the regions' feed stays in its broker
    const grants = senderGrants(routingOfSite(routing));
    expect([...policies.keys()].sort()).toEqual(
      grants.map((g) => `eventline-${policyKind[g.kind]}-${g.name}`).sort(),
    );
    for (const grant of grants) {
      const policy = policies.get(`eventline-${policyKind[grant.kind]}-${grant.name}`)!;
      expect(policy.spec.to).toEqual([
        { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default' } },
      ]);
      expect(typesOf(policy)).toEqual(grant.types.includes('*') ? 'any' : [...grant.types].sort());
    }
  });

  it("names each sender by the identity it sends with: a handler's ServiceAccount (and its Trigger, for replies), a PingSource, a KafkaSource", () => {
    const policies = byName(ofKind(objects, 'eventing.knative.dev/v1alpha1', 'EventPolicy'));
    expect(policies.get('eventline-handler-order-saga')!.spec.from).toEqual([
      { sub: 'system:serviceaccount:eventline:eventline-order-saga' },
      { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Trigger', name: 'order-saga' } },
    ]);
    expect(policies.get('eventline-handler-orders-api')!.spec.from).toEqual([
      { sub: 'system:serviceaccount:eventline:eventline-orders-api' },
    ]);
    expect(policies.get('eventline-pingsource-outbox-sweep')!.spec.from).toEqual([
      { ref: { apiVersion: 'sources.knative.dev/v1', kind: 'PingSource', name: 'outbox-sweep' } },
    ]);
    expect(policies.get('eventline-kafkasource-telemetry-raw')!.spec.from).toEqual([
      {
        ref: {
          apiVersion: 'sources.knative.dev/v1beta1',
          kind: 'KafkaSource',
          name: 'telemetry-raw',
        },
      },
    ]);
    // The saga alone sends step requests; a step only its outcome.
    expect(typesOf(policies.get('eventline-handler-reserve-inventory')!)).toEqual([
      'dev.eventline.orders.step-outcome',
    ]);
  });

  it('renders an external sender from values as its own EventPolicy, and a KafkaSource values add with the types it names', () => {
    const rendered = render(
      [ciFile('default-values.yaml')],
      [
        '--set-json',
        'senderAuthorization.senders={"partner":{"from":[{"sub":"system:serviceaccount:partner:feed"}],"emits":["dev.eventline.orders.placed"]}}',
        '--set-json',
        'kafkaSources={"legacy":{"topics":["legacy"],"emits":["dev.eventline.flags.changed"]}}',
      ],
    );
    const policies = byName(ofKind(rendered, 'eventing.knative.dev/v1alpha1', 'EventPolicy'));
    expect(policies.get('eventline-sender-partner')!.spec).toEqual({
      to: [{ ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default' } }],
      from: [{ sub: 'system:serviceaccount:partner:feed' }],
      filters: [{ any: [{ exact: { type: 'dev.eventline.orders.placed' } }] }],
    });
    expect(typesOf(policies.get('eventline-kafkasource-legacy')!)).toEqual([
      'dev.eventline.flags.changed',
    ]);
  });

  it('with senderAuthorization.enabled=false (a cluster without the OIDC feature) renders no EventPolicy and mounts no token', () => {
    const rendered = render(
      [ciFile('default-values.yaml')],
      ['--set', 'senderAuthorization.enabled=false'],
    );
    expect(ofKind(rendered, 'eventing.knative.dev/v1alpha1', 'EventPolicy')).toEqual([]);
    for (const service of ofKind(rendered, 'serving.knative.dev/v1', 'Service'))
      expect(JSON.stringify(service)).not.toContain('sender-token');
  });

  it('fails the render when sender authorization is on but the chart makes no ServiceAccounts', () => {
    const result = helmTemplate(
      [ciFile('default-values.yaml')],
      ['--set', 'serviceAccount.create=false'],
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('senderAuthorization.enabled needs serviceAccount.create');
  });
});

describe('a handler added to routing.yaml', () => {
  let chart: string;
  beforeAll(() => {
    // A copy of the chart whose routing.yaml gains a handler: no template or values change.
    chart = join(mkdtempSync(join(tmpdir(), 'eventline-chart-')), 'eventline');
    cpSync(chartDir, chart, { recursive: true });
    const routing = parse(readFileSync(join(chart, 'routing.yaml'), 'utf8'));
    routing.handlers['orders-reserve'] = {
      package: 'orders',
      kind: 'trigger',
      type: 'dev.eventline.orders.created',
      filters: [{ prefix: { source: '/eventline/orders' } }],
      delivery: { retry: 2, backoffPolicy: 'linear', timeout: 'PT5S' },
      emits: ['dev.eventline.inventory.reserved'],
    };
    writeFileSync(join(chart, 'routing.yaml'), stringify(routing));
  });
  afterAll(() => rmSync(join(chart, '..'), { recursive: true, force: true }));

  it('gets a Service, a Trigger with merged delivery and filters, a SinkBinding and a migration Job', () => {
    const rendered = helmTemplate([], [], chart);
    expect(rendered.status).toBe(0);
    const objects = parseManifests(rendered.stdout);
    const service = byName(ofKind(objects, 'serving.knative.dev/v1', 'Service')).get(
      'orders-reserve',
    )!;
    expect(service.spec.template.spec.containers[0].image).toBe('eventline-orders:0.1.0');
    expect(service.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale']).toBe(
      '0',
    );
    const trigger = byName(ofKind(objects, 'eventing.knative.dev/v1', 'Trigger')).get(
      'orders-reserve',
    )!;
    expect(trigger.spec.filter.attributes).toEqual({ type: 'dev.eventline.orders.created' });
    expect(trigger.spec.filters).toEqual([
      { exact: { type: 'dev.eventline.orders.created' } },
      { prefix: { source: '/eventline/orders' } },
    ]);
    expect(trigger.spec.delivery).toEqual({
      retry: 2,
      backoffPolicy: 'linear',
      backoffDelay: 'PT0.2S',
      timeout: 'PT5S',
      deadLetterSink: {
        ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'dead-letters' },
      },
    });
    expect(trigger.metadata.annotations!['kafka.eventing.knative.dev/delivery.order']).toBe(
      'unordered',
    );
    expect(
      ofKind(objects, 'sources.knative.dev/v1', 'SinkBinding').map((b) => b.spec.subject.name),
    ).toContain('orders-reserve');
    expect(
      ofKind(objects, 'batch/v1', 'Job').map((j) => j.metadata.labels!['eventline.dev/package']),
    ).toContain('orders');
    expect(kubeconform(rendered.stdout).status).toBe(0);
  });

  it('as a job with a payload, gets a PingSource sending it as JSON', () => {
    const routing = parse(readFileSync(join(chart, 'routing.yaml'), 'utf8'));
    routing.handlers['orders-report'] = {
      package: 'orders',
      kind: 'job',
      schedule: '30 6 * * 1-5',
      timezone: 'Europe/Paris',
      payload: { report: 'daily', regions: ['eu-west'] },
    };
    writeFileSync(join(chart, 'routing.yaml'), stringify(routing));
    const rendered = helmTemplate([], [], chart);
    expect(rendered.status).toBe(0);
    const source = byName(
      ofKind(parseManifests(rendered.stdout), 'sources.knative.dev/v1', 'PingSource'),
    ).get('orders-report')!;
    expect(source.spec).toMatchObject({
      schedule: '30 6 * * 1-5',
      timezone: 'Europe/Paris',
      contentType: 'application/json',
    });
    expect(JSON.parse(source.spec.data)).toEqual({ report: 'daily', regions: ['eu-west'] });
    expect(kubeconform(rendered.stdout).status).toBe(0);
  });

  it("fails the render when a job's schedule is not cron, naming the entry", () => {
    const routing = parse(readFileSync(join(chart, 'routing.yaml'), 'utf8'));
    routing.handlers['orders-report'] = { package: 'orders', kind: 'job', schedule: 'every day' };
    writeFileSync(join(chart, 'routing.yaml'), stringify(routing));
    const result = helmTemplate([], [], chart);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      'job handler "orders-report" has schedule "every day", which is not a cron expression',
    );
    delete routing.handlers['orders-report'];
    writeFileSync(join(chart, 'routing.yaml'), stringify(routing));
  });

  it('fails the render when its dead-letter sink is not a handler', () => {
    const routing = parse(readFileSync(join(chart, 'routing.yaml'), 'utf8'));
    routing.handlers['orders-reserve'].delivery.deadLetterSink = 'nowhere';
    writeFileSync(join(chart, 'routing.yaml'), stringify(routing));
    const result = helmTemplate([], [], chart);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('names deadLetterSink "nowhere", which is not a handler');
  });
});

describe('the production-like value set', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render([ciFile('production-values.yaml')]);
  });

  it("takes each handler's DATABASE_URL from its package's Secret, REDIS_URL from the existing one, and makes none", () => {
    expect(ofKind(objects, 'v1', 'Secret')).toEqual([]);
    const services = ofKind(objects, 'serving.knative.dev/v1', 'Service');
    const packageOf = new Map(
      Object.entries(readRouting().handlers).map(([name, h]) => [name, h.package]),
    );
    expect(services.length).toBe(packageOf.size);
    for (const service of services) {
      const env = service.spec.template.spec.containers[0].env;
      expect([service.metadata.name, env]).toEqual([
        service.metadata.name,
        expect.arrayContaining([
          {
            name: 'DATABASE_URL',
            valueFrom: {
              secretKeyRef: {
                name: `eventline-db-${packageOf.get(service.metadata.name)}`,
                key: 'url',
              },
            },
          },
          {
            name: 'REDIS_URL',
            valueFrom: { secretKeyRef: { name: 'eventline-redis', key: 'url' } },
          },
        ]),
      ]);
      expect(env.map((e: { name: string }) => e.name)).not.toContain('EVENTLINE_RUNTIME_ROLE');
    }
  });

  it("runs each package's migration Job as its owner role, granting its runtime role", () => {
    const jobs = ofKind(objects, 'batch/v1', 'Job');
    expect(jobs.length).toBe(
      new Set(Object.values(readRouting().handlers).map((h) => h.package)).size,
    );
    for (const job of jobs) {
      const secret = `eventline-db-${job.metadata.labels!['eventline.dev/package']}`;
      expect(job.spec.template.spec.containers[0].env).toEqual(
        expect.arrayContaining([
          { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: secret, key: 'ownerUrl' } } },
          {
            name: 'EVENTLINE_RUNTIME_ROLE',
            valueFrom: { secretKeyRef: { name: secret, key: 'runtimeRole' } },
          },
        ]),
      );
    }
  });

  it('keeps the edge warm while the other handlers still scale to zero', () => {
    const services = byName(ofKind(objects, 'serving.knative.dev/v1', 'Service'));
    const minScale = (name: string) =>
      services.get(name)!.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale'];
    expect(minScale('flags-api')).toBe('2');
    expect(minScale('flags-projection')).toBe('0');
    expect(services.get('flags-api')!.spec.template.spec.containers[0].image).toBe(
      'registry.example.com/eventline/eventline-flags:0.1.0',
    );
  });

  it('ingests telemetry with a KafkaSource into the broker', () => {
    const [source] = ofKind(objects, 'sources.knative.dev/v1beta1', 'KafkaSource');
    expect(source!.spec.topics).toEqual(['eventline.telemetry.raw']);
    expect(source!.spec.consumerGroup).toBe('eventline-eu-west-1-telemetry-raw');
    // tuned by the value set, declared by routing.yaml
    expect(source!.spec.consumers).toBe(3);
    expect(source!.spec.initialOffset).toBe('latest');
    expect(source!.spec.sink.ref).toMatchObject({
      kind: 'Broker',
      name: readRouting().broker.name,
    });
  });

  it('streams chosen types to a central-region KafkaSink through Triggers with dead letters', () => {
    const [sink] = ofKind(objects, 'eventing.knative.dev/v1alpha1', 'KafkaSink');
    expect(sink!.spec.topic).toBe('eventline.central.inventory');
    const forward = ofKind(objects, 'eventing.knative.dev/v1', 'Trigger').filter(
      (t) => t.spec.subscriber.ref.kind === 'KafkaSink',
    );
    expect(forward).toHaveLength(1);
    expect(forward[0]!.spec.filter.attributes).toEqual({ type: 'dev.eventline.flags.changed' });
    expect(forward[0]!.spec.delivery.deadLetterSink.ref.name).toBe(
      readRouting().defaults.delivery.deadLetterSink,
    );
  });
});

describe('the hybrid model: region and central releases', () => {
  const routing = loadRouting();
  const siteOf = (name: string) => routing.handlers.find((h) => h.name === name)?.site;
  const services = (objects: K8sObject[]) =>
    ofKind(objects, 'serving.knative.dev/v1', 'Service').map((o) => o.metadata.name);

  it('a region renders its handlers and the central-feed job, and forwards the reports to central through the KafkaSink routing.yaml declares', () => {
    const objects = render([ciFile('region-values.yaml')]);
    const names = services(objects);
    expect(names).toContain('central-feed');
    expect(names).toContain('pos-api');
    expect(names.filter((n) => siteOf(n) === 'central')).toEqual([]);
    expect(
      byName(ofKind(objects, 'sources.knative.dev/v1', 'PingSource')).has('central-feed'),
    ).toBe(true);
    const [sink] = ofKind(objects, 'eventing.knative.dev/v1alpha1', 'KafkaSink');
    const declared = routing.kafkaSinks.find((k) => k.name === 'central-feed');
    expect(sink!.metadata.name).toBe('central-feed');
    expect(sink!.spec.topic).toBe(declared!.topic);
    expect(sink!.spec.bootstrapServers).toEqual(['central-kafka.example.internal:9092']);
    const forward = ofKind(objects, 'eventing.knative.dev/v1', 'Trigger').filter(
      (t) => t.spec.subscriber.ref.kind === 'KafkaSink',
    );
    expect(forward.map((t) => t.spec.filter.attributes.type)).toEqual(declared!.forward);
    expect(
      ofKind(objects, 'sources.knative.dev/v1beta1', 'KafkaSource').map((o) => o.metadata.name),
    ).not.toContain('central-feed');
  });

  it('a region that does not forward to central renders no KafkaSink', () => {
    const objects = render([ciFile('region-values.yaml')], ['--set', 'forwardToCentral=false']);
    expect(ofKind(objects, 'eventing.knative.dev/v1alpha1', 'KafkaSink')).toEqual([]);
    expect(services(objects)).toContain('central-feed');
  });

  it('central renders the master inventory view and reads the feed with a KafkaSource allowed to send the reports, nothing of a region', () => {
    const objects = render([ciFile('central-values.yaml')]);
    expect(services(objects).sort()).toEqual(
      routing.handlers
        .filter((h) => h.site === 'central' || h.site === 'every')
        .map((h) => h.name)
        .sort(),
    );
    const [source] = ofKind(objects, 'sources.knative.dev/v1beta1', 'KafkaSource');
    expect(source!.metadata.name).toBe('central-feed');
    expect(source!.spec.topics).toEqual(
      routing.kafkaSinks.find((k) => k.name === 'central-feed')!.topic.split(','),
    );
    expect(source!.spec.initialOffset).toBe('earliest');
    const policy = byName(ofKind(objects, 'eventing.knative.dev/v1alpha1', 'EventPolicy')).get(
      'eventline-kafkasource-central-feed',
    );
    expect(policy?.spec.filters).toEqual([
      { any: [{ exact: { type: 'dev.eventline.regions.inventory-reported' } }] },
    ]);
    const trigger = byName(ofKind(objects, 'eventing.knative.dev/v1', 'Trigger')).get(
      'central-inventory',
    );
    expect(trigger!.spec.filter.attributes.type).toBe('dev.eventline.regions.inventory-reported');
    // only the jobs every install runs: no region's
    expect(
      ofKind(objects, 'sources.knative.dev/v1', 'PingSource').map((o) => o.metadata.name),
    ).toEqual(routing.handlers.filter((h) => h.ping && h.site === 'every').map((h) => h.name));
  });

  it('one release of every site runs the central handlers beside the regional ones, with no feed sink or source', () => {
    const objects = render([ciFile('default-values.yaml')]);
    expect(services(objects)).toEqual(
      expect.arrayContaining(['central-feed', 'central-inventory', 'central-api']),
    );
    expect(
      ofKind(objects, 'sources.knative.dev/v1beta1', 'KafkaSource').map((o) => o.metadata.name),
    ).not.toContain('central-feed');
    expect(ofKind(objects, 'eventing.knative.dev/v1alpha1', 'KafkaSink')).toEqual([]);
  });
});

describe('the minimal value set', () => {
  it('renders handlers, triggers, bindings and the sources routing declares without broker, hooks, network or event policies, or accounts', () => {
    const kinds = new Set(render([ciFile('minimal-values.yaml')]).map((o) => o.kind));
    expect(kinds).toEqual(
      new Set([
        'ConfigMap',
        'Secret',
        'Service',
        'Trigger',
        'SinkBinding',
        'PingSource',
        'KafkaSource',
      ]),
    );
  });
});
