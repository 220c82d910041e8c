// Knative's own admission rules on the rendered chart, which kubeconform's schemas cannot express:
// Serving's objects through knative.dev/serving's defaulting and validation (knative-validate,
// built from the Go module proxy), Eventing's through the rule table taken from its webhook.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { formatProblem, knativeProblems, type KnativeObject } from '@eventline/routing';
import {
  chartDir,
  ensureTools,
  repoRoot,
  helmTemplate,
  K8sObject,
  knativeValidate,
  kubeconform,
  parseManifests,
  run,
  toolBuildTimeoutMs,
  valueSets,
} from './tools';

const namespace = 'eventline';
const ciFile = (name: string) => join(chartDir, 'ci', name);
const toYaml = (objects: K8sObject[]) => objects.map((o) => stringify(o)).join('---\n');
const isServing = (o: K8sObject) => o.apiVersion === 'serving.knative.dev/v1';
const isEventing = (o: K8sObject) =>
  ['eventing.knative.dev/v1', 'eventing.knative.dev/v1alpha1', 'sources.knative.dev/v1'].includes(
    o.apiVersion,
  );
/** The cluster the chart asks for: Eventing's defaults with OIDC on, which EventPolicies need. */
const CLUSTER_FEATURES = { 'authentication-oidc': 'enabled' } as const;

function render(set: string): { text: string; objects: K8sObject[] } {
  const result = helmTemplate([ciFile(set)]);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return { text: result.stdout, objects: parseManifests(result.stdout) };
}

const eventingProblems = (objects: K8sObject[], features = CLUSTER_FEATURES) =>
  knativeProblems(objects as KnativeObject[], { namespace, features }).map(formatProblem);

beforeAll(() => {
  const versions = ensureTools();
  console.log(`Knative Serving validation uses ${versions.knativeValidate}`);
}, toolBuildTimeoutMs);

describe.each(valueSets())('the chart rendered with %s', (set) => {
  let rendered: { text: string; objects: K8sObject[] };
  beforeAll(() => {
    rendered = render(set);
  });

  it("passes Knative Serving's own defaulting and validation for every Service", () => {
    const count = rendered.objects.filter(isServing).length;
    expect(count).toBeGreaterThan(0);
    const result = knativeValidate(rendered.text, namespace);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`${count} Knative Serving object(s) checked, 0 refused`);
    expect(result.status).toBe(0);
  });

  it("passes Knative Eventing's webhook rules for every Broker, Trigger, PingSource, SinkBinding and EventPolicy", () => {
    expect(rendered.objects.filter(isEventing).length).toBeGreaterThan(0);
    expect(eventingProblems(rendered.objects)).toEqual([]);
  });
});

describe("a cluster with Eventing's default config-features (OIDC disabled)", () => {
  it('refuses every EventPolicy of the defaults, and admits the chart rendered with senderAuthorization.enabled=false', () => {
    const off = { 'authentication-oidc': 'disabled' } as const;
    const { objects } = render('default-values.yaml');
    const policies = objects.filter((o) => o.kind === 'EventPolicy');
    expect(policies.length).toBeGreaterThan(0);
    expect(eventingProblems(objects, off)).toEqual(
      policies.map((p) =>
        expect.stringContaining(
          `EventPolicy eventline/${p.metadata.name} refused: oidc-authentication feature not enabled`,
        ),
      ),
    );

    const result = helmTemplate(
      [ciFile('default-values.yaml')],
      ['--set', 'senderAuthorization.enabled=false'],
    );
    expect(result.status).toBe(0);
    expect(eventingProblems(parseManifests(result.stdout), off)).toEqual([]);
  });
});

describe('autoscaling value combinations', () => {
  it.each([
    [
      'the HPA on cpu',
      'autoscaling.class=hpa.autoscaling.knative.dev,autoscaling.metric=cpu,autoscaling.target=80',
    ],
    [
      'the HPA on memory, kept warm',
      'autoscaling.class=hpa.autoscaling.knative.dev,autoscaling.metric=memory,autoscaling.minScale=1',
    ],
    ['the KPA on rps', 'autoscaling.metric=rps,autoscaling.target=50'],
    [
      "Knative's longest window and delay",
      'autoscaling.window=1h,autoscaling.scaleDownDelay=3600000ms',
    ],
    ["Knative's shortest window", 'autoscaling.window=6s,autoscaling.scaleDownDelay=0s'],
    [
      "Knative's largest containerConcurrency and default timeout cap",
      'containerConcurrency=1000,timeoutSeconds=600',
    ],
  ])('%s renders Services Knative Serving admits', (_what, settings) => {
    const set = settings
      .split(',')
      .map((setting) => `handlerDefaults.${setting}`)
      .join(',');
    const rendered = helmTemplate([], ['--set', set]);
    expect(rendered.stderr).toBe('');
    const result = knativeValidate(rendered.stdout, namespace);
    expect(result.stdout).toContain(' 0 refused');
    expect(result.status).toBe(0);
  });

  // Each of these renders Services Serving refuses (knative-validate says, e.g., "expected 6s <=
  // 2s <= 1h0m0s: ...autoscaling.knative.dev/window"), so the chart refuses the values first.
  it.each([
    [
      'handlerDefaults.autoscaling.metric=cpu',
      /values autoscaling of handler "([a-z-]+)" \(handlers\.\1\.autoscaling, jobDefaults or handlerDefaults\): metric "cpu" needs class hpa\.autoscaling\.knative\.dev/,
    ],
    [
      'handlers.flags-api.autoscaling.minScale=20',
      'values autoscaling of handler "flags-api" (handlers.flags-api.autoscaling, jobDefaults or handlerDefaults): minScale 20 is above maxScale 10',
    ],
    ['handlerDefaults.autoscaling.window=2s', 'window "2s" is outside Knative\'s 6s to 1h'],
    [
      'jobDefaults.autoscaling.window=2h',
      /handler "([a-z-]+)" \(handlers\.\1\.autoscaling, jobDefaults or handlerDefaults\): window "2h" is outside Knative's 6s to 1h/,
    ],
    [
      'handlerDefaults.autoscaling.scaleDownDelay=61m',
      'scaleDownDelay "61m" is above Knative\'s 1h',
    ],
  ])('refuses %s before rendering, naming the handler', (set, message) => {
    const result = helmTemplate([], ['--set', set]);
    expect(result.status).not.toBe(0);
    if (typeof message === 'string') expect(result.stderr).toContain(message);
    else expect(result.stderr).toMatch(message);
  });
});

describe("a cluster's own Serving configuration", () => {
  const rendered = () =>
    helmTemplate(
      [],
      ['--set', 'handlerDefaults.timeoutSeconds=1200,handlerDefaults.autoscaling.initialScale=0'],
    ).stdout;
  const configMaps = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'config-defaults', namespace: 'knative-serving' },
      data: { 'max-revision-timeout-seconds': '3600' },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'config-autoscaler', namespace: 'knative-serving' },
      data: { 'allow-zero-initial-scale': 'true' },
    },
  ];
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'knative-config-'));
    writeFileSync(join(dir, 'config.yaml'), configMaps.map((c) => stringify(c)).join('---\n'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a 1200 s timeout and initial scale 0 under the default configuration', () => {
    const result = knativeValidate(rendered(), namespace);
    expect(result.stdout).toContain('expected 0 <= 1200 <= 600: spec.template.spec.timeoutSeconds');
    expect(result.stdout).toContain(
      'autoscaling.knative.dev/initial-scale=0 not allowed by cluster',
    );
    expect(result.status).toBe(1);
  });

  it('admits them with -config naming ConfigMaps that allow them', () => {
    const result = run(
      'knative-validate',
      ['-namespace', namespace, '-config', join(dir, 'config.yaml')],
      rendered(),
    );
    expect(result.stdout).toContain(' 0 refused');
    expect(result.status).toBe(0);
  });
});

describe('scripts/k8s-tools/eventing-rules.mjs, the by-hand check', () => {
  const check = (input: string, features: string[] = []) =>
    spawnSync(
      'node',
      [join(repoRoot, 'scripts/k8s-tools/eventing-rules.mjs'), namespace, ...features],
      { input, encoding: 'utf8' },
    );

  it('reports the rendered chart clean', () => {
    const { text, objects } = render('production-values.yaml');
    const result = check(text, ['authentication-oidc=enabled']);
    const count = objects.filter(isEventing).length;
    expect(result.stdout).toContain(`${count} Knative Eventing object(s) checked, 0 refusal(s)`);
    expect(result.status).toBe(0);
  });

  it('prints each refusal and fails', () => {
    const { text } = render('default-values.yaml');
    const result = check(text.replace('schedule: "', 'schedule: "@every 1m # '), [
      'authentication-oidc=enabled',
    ]);
    expect(result.stdout).toMatch(
      /PingSource eventline\/\S+ refused: invalid value: unsupported descriptor @every: spec.schedule/,
    );
    expect(result.status).toBe(1);
  });
});

describe('a Service Knative Serving refuses', () => {
  let service: K8sObject;
  beforeAll(() => {
    service = structuredClone(render('default-values.yaml').objects.filter(isServing)[0]!);
    const podSpec = service.spec.template.spec;
    podSpec.containerConcurrency = 5000;
    podSpec.containers[0].env.push({ name: 'K_SERVICE', value: 'impostor' });
    podSpec.containers[0].volumeMounts[0].mountPath = '/dev/log';
  });

  it("passes kubeconform's schema, which cannot see Serving's rules", () => {
    const result = kubeconform(toYaml([service]));
    expect(result.stdout).toContain('Valid: 1, Invalid: 0');
  });

  it("is refused by knative.dev/serving's own validation, each reason named with the Service", () => {
    const result = knativeValidate(toYaml([service]), namespace);
    const name = `Service ${namespace}/${service.metadata.name}`;
    const env = service.spec.template.spec.containers[0].env.length - 1;
    expect(result.stdout).toContain(
      `${name}: expected 0 <= 5000 <= 1000: spec.template.spec.containerConcurrency`,
    );
    expect(result.stdout).toContain(
      `${name}: "K_SERVICE" is a reserved environment variable: spec.template.spec.containers[0].env[${env}].name`,
    );
    expect(result.stdout).toContain(
      `${name}: mountPath "/dev/log" is a reserved path: spec.template.spec.containers[0].volumeMounts[0].mountPath`,
    );
    expect(result.stdout).toContain('1 Knative Serving object(s) checked, 1 refused');
    expect(result.status).toBe(1);
  });

  it('refuses a Service whose container names no image', () => {
    const bare = {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'bare' },
      spec: { template: { spec: { containers: [{}] } } },
    };
    const result = knativeValidate(stringify(bare), namespace);
    expect(result.stdout).toContain(
      `Service ${namespace}/bare: missing field(s): spec.template.spec.containers[0].image`,
    );
    expect(result.status).toBe(1);
  });
});

describe('rendered Eventing objects Knative refuses', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render('production-values.yaml').objects;
  });
  const first = (kind: string, all: K8sObject[]) => all.find((o) => o.kind === kind)!;

  it.each([
    [
      'a Broker whose class annotation is empty',
      (all: K8sObject[]) =>
        (first('Broker', all).metadata.annotations!['eventing.knative.dev/broker.class'] = ''),
      'refused: missing field(s): metadata.annotations[eventing.knative.dev/broker.class]',
    ],
    [
      "the Kafka Broker's ConfigMap with no partitions",
      (all: K8sObject[]) => {
        const configName = first('Broker', all).spec.config.name;
        all.find((o) => o.kind === 'ConfigMap' && o.metadata.name === configName)!.data![
          'default.topic.partitions'
        ] = '0';
      },
      'never ready: invalid configuration - numPartitions: 0',
    ],
    [
      'a Trigger with a backoff delay Knative cannot parse',
      (all: K8sObject[]) => (first('Trigger', all).spec.delivery.backoffDelay = '0.2s'),
      'refused: invalid value: 0.2s: spec.delivery.backoffDelay',
    ],
    [
      'a PingSource on day of week 7',
      (all: K8sObject[]) => (first('PingSource', all).spec.schedule = '0 3 * * 7'),
      'refused: invalid value: end of range (7) above maximum (6): 7: spec.schedule',
    ],
    [
      'a SinkBinding whose subject is in another namespace',
      (all: K8sObject[]) => (first('SinkBinding', all).spec.subject.namespace = 'payments'),
      'refused: invalid value: payments: spec.subject.namespace',
    ],
  ])('finds %s', (_what, breaks, message) => {
    const broken = structuredClone(objects);
    breaks(broken);
    expect(eventingProblems(broken).join('\n')).toContain(message);
  });
});
