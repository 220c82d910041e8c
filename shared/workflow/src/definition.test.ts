import { loadDefinition, WorkflowDefinitionError } from './definition';

function refusal(definition: unknown): WorkflowDefinitionError {
  try {
    loadDefinition(definition);
  } catch (err) {
    if (err instanceof WorkflowDefinitionError) return err;
    throw err;
  }
  throw new Error('the definition was accepted');
}

const task = (extra: object = {}) => ({
  Type: 'Task',
  Resource: 'eventline:dev.eventline.test.step-requested',
  End: true,
  ...extra,
});

describe('loadDefinition', () => {
  it('reads JSON and YAML alike', () => {
    const json = loadDefinition(JSON.stringify({ StartAt: 'A', States: { A: task() } }));
    const yaml = loadDefinition(
      'StartAt: A\nStates:\n  A:\n    Type: Task\n    Resource: eventline:dev.eventline.test.step-requested\n    End: true\n',
    );
    expect(yaml).toEqual(json);
  });

  it('refuses an unknown state type, naming the state', () => {
    const err = refusal({ StartAt: 'A', States: { A: { Type: 'Lambda', End: true } } });
    expect(err.state).toBe('A');
    expect(err.message).toMatch(/unknown state type "Lambda"/);
  });

  it('refuses a missing Next and a Next to nowhere', () => {
    expect(refusal({ StartAt: 'A', States: { A: { Type: 'Pass' } } }).message).toMatch(
      /state A: missing Next/,
    );
    expect(refusal({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' } } }).message).toMatch(
      /state A: Next names no state: "B"/,
    );
  });

  it('refuses an unreachable state', () => {
    const err = refusal({
      StartAt: 'A',
      States: { A: { Type: 'Succeed' }, B: { Type: 'Succeed' } },
    });
    expect(err.state).toBe('B');
    expect(err.message).toMatch(/unreachable/);
  });

  it('refuses a bad JSONPath, a bad ResultPath and a bad intrinsic', () => {
    expect(refusal({ StartAt: 'A', States: { A: task({ InputPath: '$.a[' }) } }).message).toMatch(
      /state A: InputPath is not a valid JSONPath/,
    );
    expect(
      refusal({ StartAt: 'A', States: { A: task({ ResultPath: '$.a[*]' }) } }).message,
    ).toMatch(/ResultPath is not a reference path/);
    expect(
      refusal({
        StartAt: 'A',
        States: { A: task({ Parameters: { 'x.$': "States.Format('{}'" } }) },
      }).message,
    ).toMatch(/Parameters.x.\$ is not a valid intrinsic call/);
    expect(
      refusal({ StartAt: 'A', States: { A: task({ Parameters: { 'x.$': 'States.Nope()' } }) } })
        .message,
    ).toMatch(/unknown intrinsic function States.Nope/);
  });

  it('refuses a Resource that names no CloudEvent type', () => {
    expect(
      refusal({ StartAt: 'A', States: { A: task({ Resource: 'arn:aws:lambda:x' }) } }).message,
    ).toMatch(/state A: Resource must be eventline:/);
  });

  it('checks Retry, Catch, Choice, Wait and nested machines', () => {
    expect(
      refusal({
        StartAt: 'A',
        States: { A: task({ Retry: [{ ErrorEquals: [], MaxAttempts: 2 }] }) },
      }).message,
    ).toMatch(/Retry\[0\].ErrorEquals/);
    expect(
      refusal({ StartAt: 'A', States: { A: task({ Catch: [{ ErrorEquals: ['X'], Next: 'Z' }] }) } })
        .message,
    ).toMatch(/Catch\[0\].Next names no state/);
    expect(
      refusal({
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [{ Variable: '$.a', Equalz: 1, Next: 'D' }] },
          D: { Type: 'Succeed' },
        },
      }).message,
    ).toMatch(/state C: Choices\[0\] has no known comparison/);
    expect(
      refusal({
        StartAt: 'W',
        States: { W: { Type: 'Wait', Seconds: 1, SecondsPath: '$.s', End: true } },
      }).message,
    ).toMatch(/exactly one of/);
    const nested = refusal({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          End: true,
          Branches: [{ StartAt: 'X', States: { X: { Type: 'Pass' } } }],
        },
      },
    });
    expect(nested.state).toBe('X');
  });

  it('accepts the seed saga with its resources mapped to CloudEvent types', () => {
    const step = (name: string) => `eventline:dev.eventline.saga.${name}-requested`;
    const catchTo = (next: string) => [
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: next },
    ];
    expect(() =>
      loadDefinition({
        Comment: 'Order processing saga',
        StartAt: 'CreateOrder',
        States: {
          CreateOrder: {
            Type: 'Task',
            Resource: step('create-order'),
            Next: 'ReserveInventory',
            Catch: catchTo('RollbackOrder'),
          },
          ReserveInventory: {
            Type: 'Task',
            Resource: step('reserve-inventory'),
            Next: 'ChargePayment',
            Catch: catchTo('CompensateInventory'),
          },
          ChargePayment: {
            Type: 'Task',
            Resource: step('charge-payment'),
            End: true,
            Catch: catchTo('CompensatePayment'),
          },
          CompensateInventory: {
            Type: 'Task',
            Resource: step('release-inventory'),
            Next: 'RollbackOrder',
          },
          CompensatePayment: {
            Type: 'Task',
            Resource: step('refund-payment'),
            Next: 'RollbackOrder',
          },
          RollbackOrder: { Type: 'Task', Resource: step('cancel-order'), End: true },
        },
      }),
    ).not.toThrow();
  });
});
