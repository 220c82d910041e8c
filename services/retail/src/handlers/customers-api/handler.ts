import { badInput, defineEdge, notFound } from '@eventline/kit';
import { customerView } from '../../customer-view';

/** The customers read model over HTTP: GET /customers/:id → profile, points, last purchases. */
export const customersApi = defineEdge({
  name: 'customers-api',
  routes(router, { pool }) {
    router.get('/customers/:customerId', async (req, res) => {
      const { customerId } = req.params;
      if (customerId.length === 0 || customerId.length > 64)
        throw badInput('customerId must be a non-empty string of at most 64 characters');
      const view = await customerView(pool, customerId);
      if (!view) throw notFound(`no purchases by customer ${customerId}`);
      res.json(view);
    });
  },
});
