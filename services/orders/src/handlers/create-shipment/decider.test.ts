import { deciderSpec } from '@eventline/eventstore';
import { createShipmentDecider, type CreateShipment, type ShipmentEvent } from './decider';

const spec = deciderSpec(createShipmentDecider(['atlantis']));
const items = [{ sku: 'a', quantity: 2 }];
const reserved: ShipmentEvent = { type: 'InventoryReserved', data: { orderId: 'o-1', items } };
const ship = (region: string): CreateShipment => ({
  type: 'CreateShipment',
  data: { orderId: 'o-1', region },
});
const shipped: ShipmentEvent = {
  type: 'OrderShipped',
  data: { orderId: 'o-1', region: 'eu-west', items },
};

describe('creating a shipment', () => {
  it('given an order holding stock, when shipped, then its held stock leaves with the shipment', () => {
    spec.given([reserved]).when(ship('eu-west')).then([shipped]);
  });

  it('given an order shipped already, when asked again, then nothing ships twice', () => {
    spec.given([reserved, shipped]).when(ship('eu-west')).then([]);
  });

  it('given a region without a carrier, when shipped, then it is refused naming the region', () => {
    spec
      .given([reserved])
      .when(ship('atlantis'))
      .then([
        {
          type: 'ShipmentRefused',
          data: { orderId: 'o-1', reason: 'no carrier serves region atlantis' },
        },
      ]);
  });

  it('given an order holding no stock, when shipped, then it is refused and nothing ships', () => {
    spec
      .given([])
      .when(ship('eu-west'))
      .then([
        { type: 'ShipmentRefused', data: { orderId: 'o-1', reason: 'order o-1 holds no stock' } },
      ]);
  });
});
