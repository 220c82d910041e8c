// Makes a fresh clone runnable: installs dependencies when the lockfile changed, then builds
// every TypeScript project incrementally. Used by `npm start`, `npm test` and `npm run bench`.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (command) => execSync(command, { cwd: root, stdio: 'inherit' });
const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

const installed = path.join(root, 'node_modules/.package-lock.json');
if (mtime(installed) < mtime(path.join(root, 'package-lock.json'))) {
  console.error('eventline: installing dependencies (npm ci)');
  run('npm ci --no-audit --no-fund --loglevel=error');
}
console.error('eventline: building (tsc -b)');
run('npx tsc -b');
