import { catchUpProjection, EventStore } from '@eventline/eventstore';
import { defineJob } from '@eventline/kit';
import { orderViewProjection } from '../../order-view';

/**
 * Applies to the order view what a crash between an append's commit and its catch-up left
 * behind; in the normal course each writer of order events catches the view up itself.
 */
export const orderViewCatchUp = defineJob({
  name: 'order-view-catch-up',
  async run({ pool }) {
    return { applied: await catchUpProjection(new EventStore(pool), orderViewProjection) };
  },
});
