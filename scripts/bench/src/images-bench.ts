import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { productionInstall } from '@eventline/testing';

/**
 * What one service package's image holds in node_modules after its production install: the
 * root's and those npm put inside the linked workspaces.
 */
export interface ImageDependencies {
  servicePackage: string;
  /** bytes of the files in them (apparent sizes, symlinks as links), as a layer stores them */
  bytes: number;
  /** bytes the file system allocates for them, files and directories, as `du` counts them */
  bytesOnDisk: number;
  /** third-party packages installed */
  packages: number;
  /** the workspaces the install links, which the image also carries */
  linkedWorkspaces: string[];
  /** the largest installed packages, bytes each */
  largest: Array<[string, number]>;
  /** `npm ls --omit=dev` of the workspace */
  tree: string;
}

interface Usage {
  bytes: number;
  bytesOnDisk: number;
}

function usageOf(dir: string): Usage {
  const usage = { bytes: 0, bytesOnDisk: lstatSync(dir).blocks * 512 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = usageOf(file);
      usage.bytes += inner.bytes;
      usage.bytesOnDisk += inner.bytesOnDisk;
    } else {
      const stat = lstatSync(file);
      usage.bytes += stat.size;
      usage.bytesOnDisk += stat.blocks * 512;
    }
  }
  return usage;
}

/** Installed packages by name (scoped ones as @scope/name), without the linked workspaces. */
function installedPackages(nodeModules: string): string[] {
  return readdirSync(nodeModules, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .flatMap((entry) =>
      entry.name.startsWith('@')
        ? readdirSync(path.join(nodeModules, entry.name), { withFileTypes: true })
            .filter((scoped) => scoped.isDirectory())
            .map((scoped) => `${entry.name}/${scoped.name}`)
        : [entry.name],
    );
}

/** One service package's production install, measured. */
function measureImage(root: string, servicePackage: string): ImageDependencies {
  const { dir, linkedWorkspaces } = productionInstall(root, servicePackage);
  try {
    // npm installs a dependency inside a workspace when the root holds another version of it.
    const nodeModulesDirs = ['node_modules', ...linkedWorkspaces.map((w) => `${w}/node_modules`)]
      .map((relative) => path.join(dir, relative))
      .filter((nodeModules) => existsSync(nodeModules));
    const packages = nodeModulesDirs.flatMap((nodeModules) =>
      installedPackages(nodeModules)
        .filter((name) => !name.startsWith('@eventline/'))
        .map((name): [string, number] => [name, usageOf(path.join(nodeModules, name)).bytes]),
    );
    const usages = nodeModulesDirs.map(usageOf);
    return {
      servicePackage,
      bytes: usages.reduce((sum, usage) => sum + usage.bytes, 0),
      bytesOnDisk: usages.reduce((sum, usage) => sum + usage.bytesOnDisk, 0),
      packages: packages.length,
      linkedWorkspaces,
      largest: packages.sort((a, b) => b[1] - a[1]).slice(0, 8),
      tree: execFileSync('npm', ['ls', '--omit=dev', '--workspace', `services/${servicePackage}`], {
        cwd: root,
        encoding: 'utf8',
      }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every service package's production node_modules, as its image would hold it. */
export function runImagesBench(root: string): ImageDependencies[] {
  return readdirSync(path.join(root, 'services'))
    .sort()
    .map((servicePackage) => measureImage(root, servicePackage));
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function imagesBenchReport(images: ImageDependencies[], machine: string): string[] {
  return [
    `### Production node_modules per service image (${machine})`,
    '',
    "docker/Dockerfile's dependency stage replicated in a temporary directory",
    "(docker/install-production-deps.sh): what is left in node_modules (the root's and those inside",
    'the linked workspaces), as file bytes and as the bytes the file system allocates (`du`).',
    '',
    '| service package | file bytes | on disk | packages | linked workspaces | largest packages |',
    '|---|---|---|---|---|---|',
    ...images.map(
      (image) =>
        `| ${image.servicePackage} | ${image.bytes} (${mb(image.bytes)}) | ${image.bytesOnDisk} (${mb(image.bytesOnDisk)}) | ${image.packages} | ${image.linkedWorkspaces.join(', ')} | ${image.largest.map(([name, bytes]) => `${name} ${mb(bytes)}`).join(', ')} |`,
    ),
    '',
    ...images.flatMap((image) => [
      `\`npm ls --omit=dev --workspace services/${image.servicePackage}\`:`,
      '',
      '```',
      image.tree.trimEnd(),
      '```',
      '',
    ]),
  ];
}
