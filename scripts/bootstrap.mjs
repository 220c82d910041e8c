// Makes a fresh clone runnable: installs dependencies when the lockfile changed, then builds
// every TypeScript project incrementally. Used by `npm start`, `npm test` and `npm run bench`.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit' });
const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

const installed = path.join(root, 'node_modules/.package-lock.json');
if (mtime(installed) < mtime(path.join(root, 'package-lock.json'))) {
  // `npm install` honours the lockfile; `npm ci` refuses lockfiles written where npm was told
  // to leave other platforms' optional packages (e.g. @swc/core's darwin builds) out of them.
  console.error('eventline: installing dependencies (npm install)');
  run('npm install --no-audit --no-fund --loglevel=error');
}
console.error('eventline: building (tsc -b)');
run('npx tsc -b');

// The dashboard's bundle (Vite), rebuilt when one of its sources is newer than the bundle.
const operator = path.join(root, 'shared/operator');
const newest = (dir) =>
  Math.max(
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => mtime(path.join(entry.parentPath, entry.name))),
  );
const sources = Math.max(
  newest(path.join(operator, 'ui')),
  mtime(path.join(operator, 'src/timeline.ts')),
  mtime(path.join(root, 'package-lock.json')),
);
if (mtime(path.join(operator, 'dist/ui/index.html')) < sources) {
  console.error('eventline: building the dashboard (vite build)');
  run('npm run --silent --workspace @eventline/operator build:ui');
}
