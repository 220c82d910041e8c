import { RegionInventoryReported } from '@eventline/events';
import { defineHandler } from '@eventline/kit';
import { applyRegionReport } from '../../central-view';

/** The central store's side of the regions' feed: each region's report applied once. */
export const centralInventory = defineHandler({
  name: 'central-inventory',
  accepts: RegionInventoryReported,
  async handle(report, { tx, log }) {
    const applied = await applyRegionReport(tx, report);
    if (!applied)
      log.info({ region: report.region, report: report.report }, 'region report already applied');
  },
});
