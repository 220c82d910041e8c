import { parseRawRecord, parseReadings, type ReadingLimits } from './reading';

const now = new Date('2026-01-10T12:00:00.000Z');
const limits: ReadingLimits = {
  now,
  maxReadings: 3,
  clockSkewMs: 60_000,
  oldestKept: new Date('2026-01-03T00:00:00.000Z'),
};
const good = { deviceId: 'd-1', metric: 'temperature', value: 21.5, at: '2026-01-10T11:59:00Z' };

describe('parsing readings', () => {
  it('accepts a batch and spells each time as UTC with milliseconds', () => {
    expect(
      parseReadings({ readings: [good, { ...good, deviceType: 'thermostat' }] }, limits),
    ).toEqual([
      { ...good, at: '2026-01-10T11:59:00.000Z' },
      { ...good, at: '2026-01-10T11:59:00.000Z', deviceType: 'thermostat' },
    ]);
  });

  it.each([
    [{ readings: [good, { ...good, deviceId: '' }] }, 'readings[1].deviceId must be'],
    [{ readings: [{ ...good, metric: 'Temp!' }] }, 'readings[0].metric must be'],
    [{ readings: [{ ...good, value: '21' }] }, 'readings[0].value must be a finite number'],
    [{ readings: [{ ...good, value: 1e13 }] }, 'readings[0].value must be within'],
    [{ readings: [{ ...good, at: 'yesterday' }] }, 'readings[0].at must be an RFC 3339'],
    [
      { readings: [{ ...good, at: '2026-01-10T12:01:01Z' }] },
      'readings[0].at is in the future beyond',
    ],
    [
      { readings: [{ ...good, at: '2026-01-02T23:59:59Z' }] },
      'readings[0].at is older than the retention',
    ],
    [{ readings: [{ ...good, deviceType: 7 }] }, 'readings[0].deviceType must be'],
    [{ readings: [{ ...good, colour: 'red' }] }, 'readings[0].colour is not a reading field'],
    [{ readings: [good, good, good, good] }, 'readings must hold at most 3 readings, not 4'],
    [{ readings: [] }, 'readings must be a non-empty array'],
    [{ readings: [good], extra: 1 }, 'unexpected field "extra"'],
    [[good], 'body must be a JSON object'],
  ])('refuses %j naming the field', (body, reason) => {
    const parsed = parseReadings(body, limits);
    expect('error' in parsed && parsed.error).toContain(reason);
  });

  it('takes a raw record of one reading or of a batch, and names what is wrong with any other', () => {
    expect(parseRawRecord(good, limits)).toHaveLength(1);
    expect(parseRawRecord({ readings: [good, good] }, limits)).toHaveLength(2);
    expect(parseRawRecord('garbage', limits)).toEqual({
      error: expect.stringContaining('record is not JSON') as string,
    });
    expect(parseRawRecord(42, limits)).toEqual({
      error: expect.stringContaining('record must be an object') as string,
    });
    expect(parseRawRecord({ ...good, value: null }, limits)).toEqual({
      error: 'record.value must be a finite number',
    });
  });
});
