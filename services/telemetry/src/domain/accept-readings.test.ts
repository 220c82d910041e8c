import { deciderSpec } from '@eventline/eventstore';
import { acceptReadingsDecider } from './accept-readings';
import { deviceGroupOf } from './reading';

const spec = deciderSpec(acceptReadingsDecider);
const reading = (second: number, deviceId = 'd-1') => ({
  deviceId,
  metric: 'temp',
  value: second,
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
});

/** Two device ids of different groups, found rather than assumed. */
const other = Array.from({ length: 100 }, (_, i) => `d-${i}`).find(
  (id) => deviceGroupOf(id) !== deviceGroupOf('d-1'),
) as string;

describe('accepting readings', () => {
  it('given a batch size, when more readings of a device arrive than it holds, then they go out in batches of at most that size, in order, keyed by the device group', () => {
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((s) => reading(s));
    const group = deviceGroupOf('d-1');
    spec
      .given([])
      .when({ type: 'AcceptReadings', data: { readings: [a!, b!, c!, d!, e!], batchSize: 2 } })
      .then([
        { type: 'ReadingsAccepted', data: { readings: [a!, b!] }, group },
        { type: 'ReadingsAccepted', data: { readings: [c!, d!] }, group },
        { type: 'ReadingsAccepted', data: { readings: [e!] }, group },
      ]);
  });

  it('given readings of devices in two groups, when they arrive interleaved, then each batch holds one group, each device in its order', () => {
    const [a, b, c, d] = [reading(1), reading(2, other), reading(3), reading(4, other)];
    spec
      .given([])
      .when({ type: 'AcceptReadings', data: { readings: [a!, b!, c!, d!], batchSize: 500 } })
      .then([
        { type: 'ReadingsAccepted', data: { readings: [a!, c!] }, group: deviceGroupOf('d-1') },
        { type: 'ReadingsAccepted', data: { readings: [b!, d!] }, group: deviceGroupOf(other) },
      ]);
  });
});
