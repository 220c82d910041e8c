import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ProductionInstall {
  /** a temporary directory: node_modules, and the linked workspaces with their own node_modules */
  dir: string;
  /** the workspaces the install links, relative to the repository (`shared/kit`) */
  linkedWorkspaces: string[];
}

/**
 * A service package's production install as docker/Dockerfile's dependency stage makes it, outside
 * the repository so nothing resolves to its development install: the lock file and the manifests
 * of shared/ and services/ (what the image's build context holds), then
 * docker/install-production-deps.sh. The caller removes `dir`.
 */
export function productionInstall(root: string, servicePackage: string): ProductionInstall {
  const dir = mkdtempSync(path.join(os.tmpdir(), `eventline-image-${servicePackage}-`));
  for (const file of ['package.json', 'package-lock.json']) {
    copyFileSync(path.join(root, file), path.join(dir, file));
  }
  for (const top of ['shared', 'services']) {
    for (const workspace of readdirSync(path.join(root, top))) {
      const manifest = path.join(top, workspace, 'package.json');
      // A folder left with only build output (a package moved away) is no workspace.
      if (!existsSync(path.join(root, manifest))) continue;
      mkdirSync(path.join(dir, top, workspace), { recursive: true });
      copyFileSync(path.join(root, manifest), path.join(dir, manifest));
    }
  }
  execFileSync('sh', [path.join(root, 'docker/install-production-deps.sh'), servicePackage], {
    cwd: dir,
    env: { ...process.env, npm_config_prefer_offline: 'true' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const linkedWorkspaces = readFileSync(path.join(dir, 'linked-workspaces.txt'), 'utf8')
    .split('\n')
    .filter(Boolean);
  return { dir, linkedWorkspaces };
}
