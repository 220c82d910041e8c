// skaffold.yaml, the images and the cluster prerequisites, checked offline.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  ensureTools,
  kubeconform,
  readRouting,
  repoRoot,
  run,
  toolBuildTimeoutMs,
  validateSkaffold,
} from './tools';

beforeAll(() => {
  const versions = ensureTools();
  console.log(`delivery tests use kubeconform ${versions.kubeconform}`);
}, toolBuildTimeoutMs);

const servicePackages = () =>
  readdirSync(join(repoRoot, 'services'), { withFileTypes: true })
    .filter(
      (d) => d.isDirectory() && existsSync(join(repoRoot, 'services', d.name, 'package.json')),
    )
    .map((d) => d.name)
    .sort();

describe('skaffold.yaml', () => {
  const file = join(repoRoot, 'skaffold.yaml');
  const config = parse(readFileSync(file, 'utf8'));

  it("validates against skaffold's published schema for its apiVersion", () => {
    const version = String(config.apiVersion).split('/')[1];
    expect(existsSync(join(repoRoot, `test/charts/schemas/skaffold/config_${version}.json`))).toBe(
      true,
    );
    const result = validateSkaffold(file);
    expect(result.stdout).toContain('Valid: 1, Invalid: 0, Errors: 0, Skipped: 0');
    expect(result.status).toBe(0);
  });

  it('has one artifact per service package, built from docker/ with SERVICE=<package>', () => {
    const artifacts: {
      image: string;
      docker: { dockerfile: string; buildArgs: Record<string, string> };
    }[] = config.build.artifacts;
    expect(artifacts.map((a) => a.docker.buildArgs.SERVICE).sort()).toEqual(servicePackages());
    for (const artifact of artifacts) {
      expect(artifact.docker.dockerfile).toBe('docker/Dockerfile');
      expect(artifact.image).toBe(`eventline-${artifact.docker.buildArgs.SERVICE}`);
    }
  });

  it('deploys the chart with every built image set on its package', () => {
    const [release] = config.deploy.helm.releases;
    expect(release.chartPath).toBe('charts/eventline');
    const expected = Object.fromEntries(
      servicePackages().map((pkg) => [
        `packages.${pkg}.image`,
        `{{.IMAGE_FULLY_QUALIFIED_eventline_${pkg.replace(/-/g, '_')}}}`,
      ]),
    );
    expect(release.setValueTemplates).toEqual(expect.objectContaining(expected));
  });

  it('has kind and minikube profiles and forwards a local port to the edge API', () => {
    const profiles = config.profiles.map((p: { name: string }) => p.name);
    expect(profiles).toEqual(expect.arrayContaining(['kind', 'minikube']));
    expect(config.portForward).toEqual([
      expect.objectContaining({ resourceName: 'kourier', localPort: 8080 }),
    ]);
  });

  it('rejects a misspelt field', () => {
    const result = run(
      'kubeconform',
      [
        '-schema-location',
        `${repoRoot}/test/charts/schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
        '-',
      ],
      readFileSync(file, 'utf8').replace('chartPath:', 'chartPth:'),
    );
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain("additional properties 'chartPth' not allowed");
  });
});

describe('routing.yaml and services/', () => {
  it('routes handlers only to service packages that exist', () => {
    const packages = new Set(Object.values(readRouting().handlers).map((h) => h.package));
    for (const pkg of packages) expect(servicePackages()).toContain(pkg);
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = readFileSync(join(repoRoot, 'docker/Dockerfile'), 'utf8');

  it('builds in stages and runs a distroless image as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/distroless\/nodejs\$\{NODE_VERSION\}-debian12:nonroot/);
    expect(dockerfile).toMatch(/^USER 65532:65532$/m);
  });

  it('installs production dependencies of one workspace only, and keeps only what it links', () => {
    const install = readFileSync(join(repoRoot, 'docker/install-production-deps.sh'), 'utf8');
    expect(dockerfile).toMatch(/^RUN .*sh install-production-deps.sh "\$\{SERVICE\}"$/m);
    expect(install).toMatch(/npm install --omit=dev .*--workspace "services\/\$\{service\}"/);
    expect(dockerfile).toMatch(/grep -qx "\$dir" linked-workspaces.txt \|\| rm -rf "\$dir"/);
  });

  it('keeps node_modules, dist and git out of the build context', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(
      expect.arrayContaining(['**/node_modules', '**/dist', '.git', '.cache']),
    );
  });
});

describe('k8s/ cluster prerequisites', () => {
  const manifests = [
    'k8s/namespaces.yaml',
    'k8s/kafka/cluster.yaml',
    'k8s/infra/postgres.yaml',
    'k8s/infra/redis.yaml',
  ];

  it.each(manifests)('%s validates against the Kubernetes and Strimzi schemas', (file) => {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    const result = kubeconform(text);
    expect(result.stdout).toMatch(/Valid: \d+, Invalid: 0, Errors: 0, Skipped: 0/);
    expect(result.status).toBe(0);
  });

  it('pins every version the bring-up scripts install', () => {
    const versions = Object.fromEntries(
      readFileSync(join(repoRoot, 'k8s/versions.env'), 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => l.split('=') as [string, string]),
    );
    for (const key of [
      'KNATIVE_SERVING_VERSION',
      'KNATIVE_KOURIER_VERSION',
      'KNATIVE_EVENTING_VERSION',
      'KNATIVE_KAFKA_VERSION',
    ]) {
      expect(versions[key]).toMatch(/^knative-v1\.\d+\.\d+$/);
    }
    expect(versions.STRIMZI_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    const install = readFileSync(join(repoRoot, 'scripts/k8s/install.sh'), 'utf8');
    for (const key of Object.keys(versions).filter(
      (k) =>
        k !== 'KUBERNETES_VERSION' &&
        k !== 'KIND_NODE_IMAGE' &&
        !k.endsWith('_IMAGE') &&
        k !== 'KAFKA_VERSION',
    )) {
      expect(install).toContain(`\${${key}}`);
    }
  });

  it('runs the same Kafka and images the versions file pins', () => {
    const versions = readFileSync(join(repoRoot, 'k8s/versions.env'), 'utf8');
    const kafka = readFileSync(join(repoRoot, 'k8s/kafka/cluster.yaml'), 'utf8');
    expect(kafka).toContain(`version: ${/^KAFKA_VERSION=(.*)$/m.exec(versions)![1]}`);
    expect(readFileSync(join(repoRoot, 'k8s/infra/postgres.yaml'), 'utf8')).toContain(
      `image: ${/^POSTGRES_IMAGE=(.*)$/m.exec(versions)![1]}`,
    );
    expect(readFileSync(join(repoRoot, 'k8s/infra/redis.yaml'), 'utf8')).toContain(
      `image: ${/^REDIS_IMAGE=(.*)$/m.exec(versions)![1]}`,
    );
  });
});
