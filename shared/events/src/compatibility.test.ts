import { breakingChanges, publicationState } from './compatibility';
import { OrderPlaced } from './generated/catalog';

type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const published = (): Schema => structuredClone(OrderPlaced.schema) as Schema;
const v2 = (schema: Schema) => ({
  ...schema,
  $id: 'https://eventline.dev/schemas/dev.eventline.orders.placed/v2.json',
});
const state = (current: Schema, versions: Schema[] = [published()]) =>
  publicationState(OrderPlaced.type, current, new Map(versions.map((s, i) => [i + 1, s])));

describe('schema compatibility: what the next schema refuses that the previous accepted', () => {
  describe('producer side: the data a producer sends changes', () => {
    it('given a new required field, then it is breaking: events already sent lack it', () => {
      const next = published();
      next.properties.channel = { enum: ['web', 'store'] };
      next.required.push('channel');
      expect(breakingChanges(published(), next)).toEqual(['data.channel: newly required']);
      const refused = state(next);
      expect(refused.state).toBe('refused');
      expect(refused.state === 'refused' && refused.problems).toEqual([
        'dev.eventline.orders.placed v1: data.channel: newly required',
        expect.stringContaining(
          'a breaking change needs a new version: set its $id to .../v2.json',
        ),
      ]);
    });

    it('given a new optional field, then it is compatible: every event sent is still valid', () => {
      const next = published();
      next.properties.channel = { enum: ['web', 'store'] };
      expect(breakingChanges(published(), next)).toEqual([]);
      expect(state(next)).toEqual({ state: 'compatible' });
    });

    it('given a removed field, then it is breaking: the object is closed, so its events are refused', () => {
      const next = published();
      delete next.properties.placedAt;
      next.required = next.required.filter((name: string) => name !== 'placedAt');
      expect(breakingChanges(published(), next)).toEqual(['data.placedAt: removed']);
    });
  });

  describe('consumer side: what a consumer accepts changes', () => {
    it('given a tightened bound, a narrowed enum or type, then each is breaking', () => {
      const next = published();
      next.properties.items.maxItems = 50;
      next.properties.total = { type: 'string', maxLength: 20 };
      next.properties.items.items.properties.quantity.minimum = 2;
      expect(breakingChanges(published(), next)).toEqual([
        'data.items: maxItems tightened from 100 to 50',
        'data.items[].quantity: minimum tightened from 1 to 2',
        'data.total: type narrowed from integer to string',
        'data.total: maxLength tightened from none to 20',
      ]);
      const before = { enum: ['a', 'b'] };
      expect(breakingChanges(before, { enum: ['a'] })).toEqual([
        'data: enum narrowed, no longer b',
      ]);
    });

    it('given a widened bound or enum, then it is compatible: the consumer accepts more', () => {
      const next = published();
      next.properties.items.maxItems = 200;
      next.properties.customerId = { ...next.properties.customerId, maxLength: 128 };
      expect(breakingChanges(published(), next)).toEqual([]);
      expect(breakingChanges({ enum: ['a'] }, { enum: ['a', 'b'] })).toEqual([]);
      expect(breakingChanges({ type: 'integer' }, { type: 'number' })).toEqual([]);
    });
  });

  describe('versions', () => {
    it('given a breaking change with the version bumped, then it is accepted and v1 stays published', () => {
      const next = v2(published());
      next.required.push('channel');
      next.properties.channel = { enum: ['web', 'store'] };
      expect(state(next)).toEqual({ state: 'bumped' });
    });

    it('given a bump whose previous version was removed, or one that skips a version, then it is refused', () => {
      expect(state(v2(published()), [])).toEqual({
        state: 'refused',
        problems: ['dev.eventline.orders.placed: a new type starts at v1'],
      });
      const v3 = { ...published(), $id: published().$id.replace('/v1.', '/v3.') };
      expect(state(v3)).toEqual({
        state: 'refused',
        problems: ['dev.eventline.orders.placed: v3 skips versions; the published one is v1'],
      });
    });

    it('given a pattern or format change, then it is breaking: it cannot be shown to accept the same', () => {
      const next = published();
      next.properties.orderId = { type: 'string', pattern: '^[a-z]{1,64}$' };
      expect(breakingChanges(published(), next)).toEqual([
        'data.orderId: pattern changed ("^[a-z]{1,64}$")',
      ]);
    });
  });
});
