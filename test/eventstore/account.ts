import type { Decider } from '@eventline/eventstore';

/** A small decider the suites share: enough rules to make decisions depend on state. */
export type AccountEvent =
  | { type: 'AccountOpened'; data: { owner: string } }
  | { type: 'MoneyDeposited'; data: { amount: number } }
  | { type: 'MoneyWithdrawn'; data: { amount: number } };

export type AccountCommand =
  | { type: 'OpenAccount'; owner: string }
  | { type: 'Deposit'; amount: number }
  | { type: 'Withdraw'; amount: number };

export interface AccountState {
  status: 'none' | 'open';
  owner: string | null;
  balance: number;
  transactions: number;
}

export class AccountRuleError extends Error {
  readonly kind = 'bad-input';
}

export const accountDecider: Decider<AccountState, AccountCommand, AccountEvent> = {
  initialState: () => ({ status: 'none', owner: null, balance: 0, transactions: 0 }),

  decide(command, state) {
    switch (command.type) {
      case 'OpenAccount':
        if (state.status === 'open') throw new AccountRuleError('account already open');
        return { type: 'AccountOpened', data: { owner: command.owner } };
      case 'Deposit':
        if (state.status !== 'open') throw new AccountRuleError('account not open');
        return { type: 'MoneyDeposited', data: { amount: command.amount } };
      case 'Withdraw':
        if (state.status !== 'open') throw new AccountRuleError('account not open');
        if (command.amount > state.balance) return [];
        return { type: 'MoneyWithdrawn', data: { amount: command.amount } };
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'AccountOpened':
        return { ...state, status: 'open', owner: event.data.owner };
      case 'MoneyDeposited':
        return {
          ...state,
          balance: state.balance + event.data.amount,
          transactions: state.transactions + 1,
        };
      case 'MoneyWithdrawn':
        return {
          ...state,
          balance: state.balance - event.data.amount,
          transactions: state.transactions + 1,
        };
    }
  },
};
