import { deciderSpec } from '@eventline/eventstore';
import { HandlerError } from '@eventline/kit';
import { dashboardDecider, type DashboardEvent } from './decider';

const spec = deciderSpec(dashboardDecider);
const bundle: DashboardEvent = {
  type: 'BundleLoaded',
  data: { files: ['index.html', 'assets/index-abc123.js', 'assets/index-def456.css'] },
};
const serve = (path: string) => ({ type: 'ServeAsset' as const, data: { path } });
const notFound = (err: unknown) => err instanceof HandlerError && err.kind === 'not-found';

describe('the dashboard', () => {
  it('given the bundle, when /ui/ is asked, then the page is served and always revalidated', () => {
    spec
      .given([bundle])
      .when(serve('/ui/'))
      .then([
        {
          type: 'AssetServed',
          data: {
            file: 'index.html',
            contentType: 'text/html; charset=utf-8',
            cacheControl: 'no-cache',
          },
        },
      ]);
  });

  it('given the bundle, when /ui is asked, then it redirects to /ui/ so relative assets resolve', () => {
    spec
      .given([bundle])
      .when(serve('/ui'))
      .then([{ type: 'RedirectedToIndex', data: { location: '/ui/' } }]);
  });

  it('given the bundle, when a hashed asset is asked, then it is served with its type and cached for good', () => {
    spec
      .given([bundle])
      .when(serve('/ui/assets/index-abc123.js'))
      .then([
        {
          type: 'AssetServed',
          data: {
            file: 'assets/index-abc123.js',
            contentType: 'text/javascript; charset=utf-8',
            cacheControl: 'public, max-age=31536000, immutable',
          },
        },
      ]);
  });

  it('given the bundle, when a path outside it is asked, then 404, however it is spelled', () => {
    for (const path of ['/ui/assets/other.js', '/ui/../package.json', '/ui/%2e%2e/x', '/uix'])
      spec.given([bundle]).when(serve(path)).thenThrows(notFound);
  });

  it('given no bundle was built, when the page is asked, then 404', () => {
    spec.given([]).when(serve('/ui/')).thenThrows(notFound);
  });
});
