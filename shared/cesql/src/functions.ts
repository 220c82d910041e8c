import {
  castToBoolean,
  castToInteger,
  castToString,
  fail,
  INT32_MAX,
  INT32_MIN,
  type CesqlType,
  type CesqlValue,
  type EvaluationState,
  type ParameterType,
} from './values';

export interface CesqlFunction {
  name: string;
  parameters: ParameterType[];
  /** the type of the arguments past `parameters`, for a variadic function */
  rest?: ParameterType;
  returns: CesqlType;
  /** arguments arrive cast to the parameter types; an error is recorded in `state` */
  run(args: CesqlValue[], state: EvaluationState): CesqlValue;
}

/** Characters are code points, not UTF-16 units: LENGTH('✓🚀') is 2. */
const characters = (value: CesqlValue) => Array.from(value as string);

function lengthOf(value: string): number {
  let length = 0;
  for (const _ of value) length += 1;
  return length;
}

function substring(
  x: string,
  pos: number,
  len: number | undefined,
  state: EvaluationState,
): string {
  const chars = Array.from(x);
  if (pos > chars.length || pos < -chars.length) {
    fail(state, 'functionEvaluation', `SUBSTRING: position ${pos} is outside "${x}"`);
    return '';
  }
  if (len !== undefined && len < 0) {
    fail(state, 'functionEvaluation', `SUBSTRING: negative length ${len}`);
    return '';
  }
  if (pos === 0) return '';
  const begin = pos < 0 ? chars.length + pos : pos - 1;
  return chars.slice(begin, len === undefined ? undefined : begin + len).join('');
}

const UNICODE_WHITESPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

/** The built-in functions of §3.5, with the casting functions the spec's TCK uses (§3.7). */
const BUILT_INS: CesqlFunction[] = [
  {
    name: 'INT',
    parameters: ['Any'],
    returns: 'Integer',
    run: ([x], state) => castToInteger(x as CesqlValue, state),
  },
  {
    name: 'BOOL',
    parameters: ['Any'],
    returns: 'Boolean',
    run: ([x], state) => castToBoolean(x as CesqlValue, state),
  },
  {
    name: 'STRING',
    parameters: ['Any'],
    returns: 'String',
    run: ([x]) => castToString(x as CesqlValue),
  },
  // IS_INT and IS_BOOL are not required by v1; Knative's evaluator (sdk-go sql/v2) has them.
  {
    name: 'IS_INT',
    parameters: ['Any'],
    returns: 'Boolean',
    run: ([x]) => {
      const probe: EvaluationState = { error: undefined };
      castToInteger(x as CesqlValue, probe);
      return probe.error === undefined;
    },
  },
  {
    name: 'IS_BOOL',
    parameters: ['Any'],
    returns: 'Boolean',
    run: ([x]) => {
      const probe: EvaluationState = { error: undefined };
      castToBoolean(x as CesqlValue, probe);
      return probe.error === undefined;
    },
  },
  {
    name: 'ABS',
    parameters: ['Integer'],
    returns: 'Integer',
    run: ([x], state) => {
      if (x === INT32_MIN) {
        fail(state, 'math', 'ABS(-2147483648) overflows a 32-bit integer');
        return INT32_MAX;
      }
      return Math.abs(x as number);
    },
  },
  {
    name: 'LENGTH',
    parameters: ['String'],
    returns: 'Integer',
    run: ([x]) => lengthOf(x as string),
  },
  { name: 'CONCAT', parameters: [], rest: 'String', returns: 'String', run: (xs) => xs.join('') },
  {
    name: 'CONCAT_WS',
    parameters: ['String'],
    rest: 'String',
    returns: 'String',
    run: ([delimiter, ...xs]) => xs.join(delimiter as string),
  },
  {
    name: 'LOWER',
    parameters: ['String'],
    returns: 'String',
    run: ([x]) => (x as string).toLowerCase(),
  },
  {
    name: 'UPPER',
    parameters: ['String'],
    returns: 'String',
    run: ([x]) => (x as string).toUpperCase(),
  },
  {
    name: 'TRIM',
    parameters: ['String'],
    returns: 'String',
    run: ([x]) => (x as string).replace(UNICODE_WHITESPACE, ''),
  },
  {
    name: 'LEFT',
    parameters: ['String', 'Integer'],
    returns: 'String',
    run: ([x, y], state) => {
      if ((y as number) < 0) {
        fail(state, 'functionEvaluation', `LEFT: negative length ${y as number}`);
        return x as string;
      }
      return characters(x as string)
        .slice(0, y as number)
        .join('');
    },
  },
  {
    name: 'RIGHT',
    parameters: ['String', 'Integer'],
    returns: 'String',
    run: ([x, y], state) => {
      if ((y as number) < 0) {
        fail(state, 'functionEvaluation', `RIGHT: negative length ${y as number}`);
        return x as string;
      }
      const chars = characters(x as string);
      return chars.slice(Math.max(0, chars.length - (y as number))).join('');
    },
  },
  {
    name: 'SUBSTRING',
    parameters: ['String', 'Integer'],
    returns: 'String',
    run: ([x, pos], state) => substring(x as string, pos as number, undefined, state),
  },
  {
    name: 'SUBSTRING',
    parameters: ['String', 'Integer', 'Integer'],
    returns: 'String',
    run: ([x, pos, len], state) => substring(x as string, pos as number, len as number, state),
  },
];

const byName = new Map<string, CesqlFunction[]>();
for (const fn of BUILT_INS) byName.set(fn.name, [...(byName.get(fn.name) ?? []), fn]);

/**
 * The function a call dispatches to (§3.5): the overload of that arity, else the variadic one
 * when the call has at least its fixed arguments.
 */
export function resolveFunction(name: string, arity: number): CesqlFunction | undefined {
  const overloads = byName.get(name) ?? [];
  return (
    overloads.find((fn) => fn.rest === undefined && fn.parameters.length === arity) ??
    overloads.find((fn) => fn.rest !== undefined && fn.parameters.length <= arity)
  );
}
