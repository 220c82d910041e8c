// Runs the offline manifest tools (helm, kubeconform, knative-validate) built by
// scripts/k8s-tools/install.sh, with the JSON schemas kept in test/charts/schemas, so no test
// touches the network.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repositoryRoot } from '../support/repository';

export const repoRoot = repositoryRoot();
export const chartDir = join(repoRoot, 'charts/eventline');
export const schemasDir = join(__dirname, 'schemas');
const binDir = join(repoRoot, '.cache/k8s-tools/bin');

/** The Kubernetes version the vendored core schemas describe (see schemas/README.md). */
export const kubernetesVersion = '1.34.0';
/** Building helm from source takes minutes on a cold Go cache. */
export const toolBuildTimeoutMs = 20 * 60 * 1000;

export interface ToolVersions {
  helm: string;
  kubeconform: string;
  /** the knative.dev/serving and knative.dev/pkg versions knative-validate is built from */
  knativeValidate: string;
}

/** Builds the tools if needed (idempotent, cached in .cache/k8s-tools) and reports their versions. */
export function ensureTools(): ToolVersions {
  execFileSync('bash', [join(repoRoot, 'scripts/k8s-tools/install.sh')], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: toolBuildTimeoutMs,
  });
  return {
    helm: run('helm', ['version', '--short']).stdout.trim(),
    kubeconform: run('kubeconform', ['-v']).stdout.trim(),
    knativeValidate: run('knative-validate', ['-v']).stdout.trim(),
  };
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export type Tool = 'helm' | 'kubeconform' | 'knative-validate';

export function run(tool: Tool, args: string[], input?: string): RunResult {
  const result = spawnSync(join(binDir, tool), args, {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(binDir, '../helm/cache'),
      HELM_CONFIG_HOME: join(binDir, '../helm/config'),
      HELM_DATA_HOME: join(binDir, '../helm/data'),
    },
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The value sets CI renders: charts/eventline/ci/*-values.yaml. */
export function valueSets(): string[] {
  return readdirSync(join(chartDir, 'ci'))
    .filter((f) => f.endsWith('-values.yaml'))
    .sort();
}

export const brokenValueSet = 'broken.invalid.yaml';

export function helmTemplate(
  valuesFiles: string[],
  extraArgs: string[] = [],
  chart = chartDir,
): RunResult {
  return run('helm', [
    'template',
    'eventline',
    chart,
    '--namespace',
    'eventline',
    '--kube-version',
    kubernetesVersion,
    ...valuesFiles.flatMap((f) => ['--values', f]),
    ...extraArgs,
  ]);
}

/** kubeconform -strict against the vendored schemas only; a kind without a schema is an error. */
export function kubeconform(manifests: string): RunResult {
  return run(
    'kubeconform',
    [
      '-strict',
      '-summary',
      '-output',
      'text',
      '-kubernetes-version',
      kubernetesVersion,
      '-schema-location',
      `${schemasDir}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
      '-schema-location',
      `${schemasDir}/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
      '-',
    ],
    manifests,
  );
}

/**
 * Knative Serving's webhook, offline: every serving.knative.dev/v1 object in `manifests` defaulted
 * and validated by knative.dev/serving's own code (scripts/k8s-tools/knative-validate), as created
 * in `namespace`. Each refusal is a line `<Kind> <namespace>/<name>: <message>`.
 */
export function knativeValidate(manifests: string, namespace = 'eventline'): RunResult {
  return run('knative-validate', ['-namespace', namespace], manifests);
}

/** kubeconform against skaffold's published JSON schema (schemas/skaffold). */
export function validateSkaffold(file: string): RunResult {
  return run('kubeconform', [
    '-summary',
    '-schema-location',
    `${schemasDir}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
    file,
  ]);
}

/** A rendered object; tests read `spec` freely, the schemas have already checked its shape. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
};

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0)
        throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((obj): obj is K8sObject => obj !== null);
}

export interface RoutingEntry {
  package: string;
  kind: 'edge' | 'trigger' | 'sink';
  type?: string;
  filters?: unknown[];
  ordered?: boolean;
  delivery?: Record<string, unknown>;
  emits?: string[];
}

export interface Routing {
  broker: { name: string };
  defaults: { delivery: Record<string, unknown> };
  handlers: Record<string, RoutingEntry>;
}

export function readRouting(chart = chartDir): Routing {
  return parseAllDocuments(readFileSync(join(chart, 'routing.yaml'), 'utf8'))[0]!.toJS() as Routing;
}
