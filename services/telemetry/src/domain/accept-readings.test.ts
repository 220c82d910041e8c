import { deciderSpec } from '@eventline/eventstore';
import { acceptReadingsDecider } from './accept-readings';

const spec = deciderSpec(acceptReadingsDecider);
const reading = (second: number) => ({
  deviceId: 'd-1',
  metric: 'temp',
  value: second,
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
});

describe('accepting readings over HTTP', () => {
  it('given a batch size, when more readings arrive than it holds, then they go out in batches of at most that size, in order', () => {
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map(reading);
    spec
      .given([])
      .when({ type: 'AcceptReadings', data: { readings: [a!, b!, c!, d!, e!], batchSize: 2 } })
      .then([
        { type: 'ReadingsAccepted', data: { readings: [a!, b!] } },
        { type: 'ReadingsAccepted', data: { readings: [c!, d!] } },
        { type: 'ReadingsAccepted', data: { readings: [e!] } },
      ]);
  });

  it('given a batch size, when fewer readings arrive, then they go out as one batch', () => {
    const a = reading(1);
    spec
      .given([])
      .when({ type: 'AcceptReadings', data: { readings: [a], batchSize: 500 } })
      .then([{ type: 'ReadingsAccepted', data: { readings: [a] } }]);
  });
});
