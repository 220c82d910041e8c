import { badInput, defineEdge, notFound } from '@eventline/kit';
import { centralInventory } from '../../central-view';
import { SKU } from '../../domain/cart';

/** The central store's master inventory view: GET /central/inventory/:sku → per-region stock and sales. */
export const centralApi = defineEdge({
  name: 'central-api',
  routes(router, { pool }) {
    router.get('/central/inventory/:sku', async (req, res) => {
      const { sku } = req.params;
      if (!SKU.test(sku)) throw badInput('sku must be 1-64 letters, digits, ".", "_" or "-"');
      const view = await centralInventory(pool, sku);
      if (!view) throw notFound(`no region has reported sku ${sku}`);
      res.json(view);
    });
  },
});
