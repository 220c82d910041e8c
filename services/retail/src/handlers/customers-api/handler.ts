import { badInput, defineEdge, notFound } from '@eventline/kit';
import { customerView } from '../../customer-view';
import { CUSTOMER_ID } from '../../domain/cart';

/** The customers read model over HTTP: GET /customers/:id → profile, points, last purchases. */
export const customersApi = defineEdge({
  name: 'customers-api',
  routes(router, { pool }) {
    router.get('/customers/:customerId', async (req, res) => {
      const { customerId } = req.params;
      if (!CUSTOMER_ID.test(customerId))
        throw badInput('customerId must be 1-64 characters, none of them a control character');
      const view = await customerView(pool, customerId);
      if (!view) throw notFound(`no purchases by customer ${customerId}`);
      res.json(view);
    });
  },
});
