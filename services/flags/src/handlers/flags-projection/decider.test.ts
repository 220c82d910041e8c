import { deciderSpec } from '@eventline/eventstore';
import { flagChanged } from '../../domain/flag';
import { flagsProjectionDecider, type FlagViewEvent, type ProjectFlagChange } from './decider';

const spec = deciderSpec(flagsProjectionDecider);
const at = new Date('2026-01-02T03:04:05.000Z');
const change = (enabled: boolean, version: number): ProjectFlagChange => ({
  type: 'ProjectFlagChange',
  data: flagChanged({ key: 'k', enabled }, version, at),
});
const viewChanged = (enabled: boolean, version: number): FlagViewEvent => ({
  type: 'FlagViewChanged',
  data: { key: 'k', enabled, version, updatedAt: at.toISOString() },
});

describe('the flags projection', () => {
  it('given no view, when a change arrives, then the view shows it', () => {
    spec
      .given([])
      .when(change(true, 3))
      .then([viewChanged(true, 3)]);
  });

  it('given a view, when a newer change arrives, then the view shows the newer one', () => {
    spec
      .given([viewChanged(true, 3)])
      .when(change(false, 4))
      .then([viewChanged(false, 4)]);
  });

  it('given a newer view, when an older change arrives late, then the view is unchanged', () => {
    spec
      .given([viewChanged(false, 5)])
      .when(change(true, 4))
      .then([]);
  });

  it('given a view, when the same change is redelivered, then the view is unchanged', () => {
    spec
      .given([viewChanged(true, 2)])
      .when(change(true, 2))
      .then([]);
  });
});
