import { parseDefinition, parseName, parseStart, parseStop } from './requests';

const types = new Set(['dev.eventline.workflows.echo-requested']);

describe('workflows API requests', () => {
  it('takes a definition as ASL JSON or as JSON or YAML text', () => {
    const asl = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
    expect(parseDefinition(asl, types, 10_000)).toEqual(asl);
    expect(
      parseDefinition(
        { definition: 'StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n' },
        types,
        10_000,
      ),
    ).toEqual(asl);
    expect(parseDefinition({ definition: 3 }, types, 10_000)).toEqual({
      error: expect.stringMatching(/^definition /),
    });
  });

  it('refuses a Task whose Resource is not a type the engine may send, naming the state', () => {
    const foreign = {
      StartAt: 'Pay',
      States: {
        Pay: {
          Type: 'Parallel',
          End: true,
          Branches: [
            {
              StartAt: 'Charge',
              States: { Charge: { Type: 'Task', Resource: 'eventline:dev.x.y', End: true } },
            },
          ],
        },
      },
    };
    expect(parseDefinition(foreign, types, 10_000)).toEqual({
      error: expect.stringMatching(/^state Charge: Resource names dev.x.y/),
    });
  });

  it('names the field of a bad start, stop or name', () => {
    expect(parseStart({ input: { a: 1 } })).toEqual({ input: { a: 1 } });
    expect(parseStart({})).toEqual({ input: {} });
    expect(parseStart([])).toEqual({ error: expect.stringMatching(/body/) });
    expect(parseStart({ input: 1, extra: 2 })).toEqual({
      error: 'the body has extra, not a field (only input)',
    });
    expect(parseStop({ error: '' })).toEqual({ error: expect.stringMatching(/^error /) });
    expect(parseStop({ cause: 5 })).toEqual({ error: expect.stringMatching(/^cause /) });
    expect(parseStop(undefined)).toEqual({
      stop: { error: 'Stopped', cause: 'stopped by request' },
    });
    expect(parseStop({ smuggled: true })).toEqual({
      error: expect.stringMatching(/the body has smuggled/),
    });
    expect(parseDefinition({ smuggled: true }, types, 10_000)).toEqual({
      error: expect.stringMatching(/^the body is not an ASL definition: StartAt/),
    });
    expect(parseStart({ input: { '\u0000': 1 } })).toEqual({
      error: 'input.\u0000 holds U+0000 or an unpaired surrogate, which cannot be stored',
    });
    expect(parseStart({ input: { a: 'x\ud800' } })).toEqual({
      error: 'input.a holds U+0000 or an unpaired surrogate, which cannot be stored',
    });
    expect(parseStart({ input: { a: '\ud83d\ude00' } })).toEqual({ input: { a: '\ud83d\ude00' } });
    expect(parseName('a b', 'name')).toEqual({ error: expect.stringMatching(/^name /) });
  });
});
