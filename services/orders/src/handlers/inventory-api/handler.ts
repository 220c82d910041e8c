import { badInput, defineEdge, notFound } from '@eventline/kit';
import { parseSetStock, type StockLevel } from '../../domain/inventory';
import { setStockDecider } from './decider';

const STOCK_COLUMNS = 'sku, available, reserved, shipped';

/**
 * Inventory administration over HTTP: PUT /inventory/:sku sets what a sku has available, GET
 * reads its stock.
 */
export const inventoryApi = defineEdge({
  name: 'inventory-api',
  routes(router, { pool }) {
    router.put('/inventory/:sku', async (req, res) => {
      const command = parseSetStock(req.params.sku, req.body);
      if ('error' in command) throw badInput(command.error);
      // Setting stock is absolute, so nothing is loaded first: the stock row, which a sale may
      // be queueing on, is locked for this one statement only.
      const [stockSet] = setStockDecider.decide({ type: 'SetStock', data: command });
      const { rows } = await pool.query<StockLevel>(
        `INSERT INTO orders.inventory (sku, available) VALUES ($1, $2)
         ON CONFLICT (sku) DO UPDATE SET available = EXCLUDED.available
         RETURNING ${STOCK_COLUMNS}`,
        [stockSet.data.sku, stockSet.data.available],
      );
      res.json(rows[0]);
    });

    router.get('/inventory/:sku', async (req, res) => {
      const { rows } = await pool.query<StockLevel>(
        `SELECT ${STOCK_COLUMNS} FROM orders.inventory WHERE sku = $1`,
        [req.params.sku],
      );
      if (!rows[0]) throw notFound(`no sku ${req.params.sku}`);
      res.json(rows[0]);
    });
  },
});
