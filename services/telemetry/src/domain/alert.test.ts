import { deciderSpec } from '@eventline/eventstore';
import { alertDecider, type Alert } from './alert';

const spec = deciderSpec(alertDecider);
const alert: Alert = {
  cause: 'anomaly:d-1/temp@2026-01-01T00:00:00.000Z',
  deviceId: 'd-1',
  kind: 'anomaly',
  metric: 'temp',
  raisedAt: '2026-01-01T00:00:00.000Z',
  details: { zScore: 9 },
};

describe('raising an alert', () => {
  it('given no alert of its cause, when raised, then it is raised', () => {
    spec
      .given([])
      .when({ type: 'RaiseAlert', data: alert })
      .then([{ type: 'AlertRaised', data: alert }]);
  });

  it('given an alert of the same cause, when raised again, then nothing is raised', () => {
    spec
      .given([{ type: 'AlertRaised', data: alert }])
      .when({ type: 'RaiseAlert', data: alert })
      .then([]);
  });
});
