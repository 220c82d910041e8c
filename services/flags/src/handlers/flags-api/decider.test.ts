import { deciderSpec } from '@eventline/eventstore';
import { setFlagDecider, type FlagSetEvent, type SetFlag } from './decider';

const spec = deciderSpec(setFlagDecider);
const setFlag = (enabled: boolean): SetFlag => ({
  type: 'SetFlag',
  data: { key: 'checkout', enabled },
});
const flagSet = (enabled: boolean): FlagSetEvent => ({
  type: 'FlagSet',
  data: { key: 'checkout', enabled },
});

describe('setting a flag', () => {
  it('given a flag never set, when set, then the request is recorded', () => {
    spec
      .given([])
      .when(setFlag(true))
      .then([flagSet(true)]);
  });

  it('given a flag set to a value, when set to the same value again, then that request is recorded too', () => {
    spec
      .given([flagSet(true)])
      .when(setFlag(true))
      .then([flagSet(true)]);
  });
});
