import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dashboardDirectory } from '@eventline/operator';
import { defineEdge, type EdgeContext } from '@eventline/kit';
import type { Router } from 'express';
import { DASHBOARD_PREFIX, dashboardDecider } from './decider';

/** The bundle's files by path relative to its root, read once at start: a few small files. */
function loadBundle(root: string): Map<string, Buffer> {
  if (!existsSync(root)) return new Map();
  return new Map(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const full = path.join(entry.parentPath, entry.name);
        return [path.relative(root, full).split(path.sep).join('/'), readFileSync(full)];
      }),
  );
}

function dashboardRoutes(router: Router, { log }: EdgeContext): void {
  const root = dashboardDirectory();
  const bundle = loadBundle(root);
  if (!bundle.has('index.html'))
    log.warn({ root }, 'the dashboard bundle is missing: npm run build builds it');
  const state = dashboardDecider.evolve(dashboardDecider.initialState(), {
    type: 'BundleLoaded',
    data: { files: [...bundle.keys()] },
  });

  router.get([DASHBOARD_PREFIX, `${DASHBOARD_PREFIX}/*asset`], (req, res) => {
    const [decided] = dashboardDecider.decide(
      { type: 'ServeAsset', data: { path: req.path } },
      state,
    );
    if (decided.type === 'RedirectedToIndex') res.redirect(308, decided.data.location);
    else if (decided.type === 'AssetServed')
      res
        .status(200)
        .set({
          'content-type': decided.data.contentType,
          'cache-control': decided.data.cacheControl,
        })
        .send(bundle.get(decided.data.file));
  });
}

/** The operator's web dashboard (Vite's bundle in @eventline/operator), served at /ui. */
export const dashboard = defineEdge({ name: 'dashboard', routes: dashboardRoutes });
