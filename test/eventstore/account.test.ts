import { deciderSpec } from '@eventline/eventstore';
import { AccountRuleError, accountDecider } from './account';

const spec = deciderSpec(accountDecider);
const opened = { type: 'AccountOpened', data: { owner: 'ada' } } as const;
const deposited = (amount: number) => ({ type: 'MoneyDeposited', data: { amount } }) as const;

describe('account decider (given / when / then, no store)', () => {
  it('given nothing, when opening, then AccountOpened', () => {
    spec.given([]).when({ type: 'OpenAccount', owner: 'ada' }).then([opened]);
  });

  it('given an open account with 10, when withdrawing 4, then MoneyWithdrawn 4', () => {
    spec
      .given([opened, deposited(10)])
      .when({ type: 'Withdraw', amount: 4 })
      .then([{ type: 'MoneyWithdrawn', data: { amount: 4 } }]);
  });

  it('given an open account with 3, when withdrawing 4, then nothing happens', () => {
    spec
      .given([opened, deposited(3)])
      .when({ type: 'Withdraw', amount: 4 })
      .then([]);
  });

  it('given an open account, when opening again, then the rule error', () => {
    spec
      .given([opened])
      .when({ type: 'OpenAccount', owner: 'bob' })
      .thenThrows((err) => err instanceof AccountRuleError);
  });

  it('given a wrong expectation, when checked, then the spec itself fails', () => {
    expect(() =>
      spec
        .given([])
        .when({ type: 'OpenAccount', owner: 'ada' })
        .then([deposited(1)]),
    ).toThrow();
    expect(() =>
      spec
        .given([])
        .when({ type: 'OpenAccount', owner: 'ada' })
        .thenThrows(() => true),
    ).toThrow('expected decide to throw');
  });
});
