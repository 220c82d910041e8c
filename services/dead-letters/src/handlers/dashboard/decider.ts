import type { Decider } from '@eventline/eventstore';
import { notFound } from '@eventline/kit';

/** The dashboard's URL prefix, on the gateway and on the cluster's ingress (routing.yaml). */
export const DASHBOARD_PREFIX = '/ui';

export type DashboardEvent =
  /** the bundle Vite built, as found when the handler started: paths relative to its root */
  | { type: 'BundleLoaded'; data: { files: string[] } }
  | { type: 'AssetServed'; data: { file: string; contentType: string; cacheControl: string } }
  | { type: 'RedirectedToIndex'; data: { location: string } };

export type ServeAsset = { type: 'ServeAsset'; data: { path: string } };

export interface DashboardState {
  files: ReadonlySet<string>;
}

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  json: 'application/json',
};

/** Vite names assets by their content's hash: a name never changes meaning, so keep it a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The page names the current assets: always asked again, so a new build shows at once. */
const REVALIDATE = 'no-cache';

/**
 * Which file of the bundle answers a path under /ui: the page at /ui/, hashed assets cached for
 * good, anything not in the bundle 404 (pages live in the URL's hash, so no fallback is needed,
 * and a path is only ever looked up among the bundle's own files, never on the disk).
 */
export const dashboardDecider = {
  initialState: (): DashboardState => ({ files: new Set() }),
  evolve(state: DashboardState, event: DashboardEvent): DashboardState {
    return event.type === 'BundleLoaded' ? { files: new Set(event.data.files) } : state;
  },
  decide({ data }: ServeAsset, state: DashboardState): [DashboardEvent] {
    if (data.path === DASHBOARD_PREFIX)
      return [{ type: 'RedirectedToIndex', data: { location: `${DASHBOARD_PREFIX}/` } }];
    const relative = data.path.slice(DASHBOARD_PREFIX.length + 1);
    const file = relative === '' ? 'index.html' : relative;
    if (!data.path.startsWith(`${DASHBOARD_PREFIX}/`) || !state.files.has(file))
      throw notFound(`no dashboard file at ${data.path}`);
    const extension = file.slice(file.lastIndexOf('.') + 1);
    return [
      {
        type: 'AssetServed',
        data: {
          file,
          contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
          cacheControl: file.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
        },
      },
    ];
  },
} satisfies Decider<DashboardState, ServeAsset, DashboardEvent>;
