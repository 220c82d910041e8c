import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// The dashboard is served under /ui/ by the local gateway and by the chart's dashboard handler;
// the bundle lands in the package's dist/, beside the compiled CLI, so images carry it.
export default defineConfig({
  root: here,
  base: '/ui/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: path.join(here, '../dist/ui'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
  },
});
