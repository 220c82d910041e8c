import { resolveFunction } from './functions';
import { likeMatcher } from './like';
import { parseSyntax, type Node } from './parser';
import {
  attributeValue,
  cast,
  castToBoolean,
  castToInteger,
  castToString,
  fail,
  typeOf,
  ZERO,
  CesqlError,
  type CesqlValue,
  type EvaluationState,
} from './values';

/** An event's context attributes and extensions by name; absent or null means missing. */
export type CesqlEvent = Readonly<Record<string, unknown>>;

export interface Evaluation {
  value: CesqlValue;
  /** the first error met; evaluation stops there (fail fast, §4.1) */
  error?: CesqlError;
}

type Evaluator = (event: CesqlEvent, state: EvaluationState) => CesqlValue;

/** EXISTS is always true for the REQUIRED attributes: the input event is assumed valid (§3.4.4). */
const REQUIRED_ATTRIBUTES = new Set(['specversion', 'id', 'source', 'type']);

// The operators of §3.4 compile to closures over their operands once, so an evaluation is a walk
// of plain function calls. Every closure checks state.error after each operand: on an error it
// returns its own type's zero value at once, so the error reaches the top.
function compileNode(node: Node): Evaluator {
  switch (node.kind) {
    case 'literal': {
      const { value } = node;
      return () => value;
    }
    case 'attribute': {
      const { name } = node;
      // A missing attribute's type cannot be known, so Boolean is assumed (§3.2).
      return (event, state) => {
        const raw = event[name];
        if (raw === undefined || raw === null) {
          fail(state, 'missingAttribute', `missing attribute "${name}"`);
          return false;
        }
        return attributeValue(raw);
      };
    }
    case 'exists': {
      const { name } = node;
      if (REQUIRED_ATTRIBUTES.has(name)) return () => true;
      return (event) => event[name] !== undefined && event[name] !== null;
    }
    case 'not': {
      const operand = compileNode(node.operand);
      return (event, state) => {
        const value = operand(event, state);
        if (state.error) return false;
        const b = castToBoolean(value, state);
        return state.error ? false : !b;
      };
    }
    case 'negate': {
      const operand = compileNode(node.operand);
      return (event, state) => {
        const value = operand(event, state);
        if (state.error) return 0;
        const n = castToInteger(value, state);
        // Integers are 32-bit two's complement (§3.1): -(-2147483648) wraps to itself.
        return state.error ? 0 : -n | 0;
      };
    }
    case 'like':
      return compileLike(node.operand, node.pattern, node.negated);
    case 'in':
      return compileIn(node.operand, node.set, node.negated);
    case 'logical':
      return compileLogical(node.operator, node.left, node.right);
    case 'comparison':
      return compileComparison(node.operator, node.left, node.right);
    case 'arithmetic':
      return compileArithmetic(node.operator, node.left, node.right);
    case 'call':
      return compileCall(node.name, node.args);
  }
}

function compileLike(operandNode: Node, pattern: string, negated: boolean): Evaluator {
  const operand = compileNode(operandNode);
  const matches = likeMatcher(pattern);
  return (event, state) => {
    const value = operand(event, state);
    if (state.error) return false;
    return matches(castToString(value)) !== negated;
  };
}

function compileIn(operandNode: Node, setNodes: Node[], negated: boolean): Evaluator {
  const operand = compileNode(operandNode);
  const set = setNodes.map(compileNode);
  return (event, state) => {
    const value = operand(event, state);
    if (state.error) return false;
    // The set's elements are cast to the type of the left operand (§3.7).
    const target = typeOf(value);
    for (const element of set) {
      const candidate = element(event, state);
      if (state.error) return false;
      const converted = cast(candidate, target, state);
      if (state.error) return false;
      if (converted === value) return !negated;
    }
    return negated;
  };
}

function compileLogical(
  operator: 'AND' | 'OR' | 'XOR',
  leftNode: Node,
  rightNode: Node,
): Evaluator {
  const left = compileNode(leftNode);
  const right = compileNode(rightNode);
  const side = (evaluate: Evaluator, event: CesqlEvent, state: EvaluationState): boolean => {
    const value = evaluate(event, state);
    return state.error ? false : castToBoolean(value, state);
  };
  return (event, state) => {
    const l = side(left, event, state);
    if (state.error) return false;
    // AND and OR short-circuit (§3.6): the right operand is not evaluated, nor its errors.
    if (operator === 'AND' && !l) return false;
    if (operator === 'OR' && l) return true;
    const r = side(right, event, state);
    if (state.error) return false;
    return operator === 'XOR' ? l !== r : r;
  };
}

function compileComparison(
  operator: '=' | '!=' | '<>' | '>=' | '<=' | '<' | '>',
  leftNode: Node,
  rightNode: Node,
): Evaluator {
  const left = compileNode(leftNode);
  const right = compileNode(rightNode);
  if (operator === '=' || operator === '!=' || operator === '<>') {
    const equal = operator === '=';
    // `=` is ambiguous (defined on each type): the right operand's type picks the definition
    // and the left operand is cast to it (§3.7).
    return (event, state) => {
      const l = left(event, state);
      if (state.error) return false;
      const r = right(event, state);
      if (state.error) return false;
      const converted = cast(l, typeOf(r), state);
      if (state.error) return false;
      return (converted === r) === equal;
    };
  }
  const test = {
    '<': (a: number, b: number) => a < b,
    '<=': (a: number, b: number) => a <= b,
    '>': (a: number, b: number) => a > b,
    '>=': (a: number, b: number) => a >= b,
  }[operator];
  return (event, state) => {
    const l = left(event, state);
    if (state.error) return false;
    const r = right(event, state);
    if (state.error) return false;
    const a = castToInteger(l, state);
    if (state.error) return false;
    const b = castToInteger(r, state);
    if (state.error) return false;
    return test(a, b);
  };
}

function compileArithmetic(
  operator: '*' | '/' | '%' | '+' | '-',
  leftNode: Node,
  rightNode: Node,
): Evaluator {
  const left = compileNode(leftNode);
  const right = compileNode(rightNode);
  // 32-bit two's complement (§3.1), as the evaluators in Knative's brokers (Go's int32, Java's
  // int) compute it: a sum, difference or product that leaves the range wraps.
  const apply = {
    '+': (a: number, b: number) => (a + b) | 0,
    '-': (a: number, b: number) => (a - b) | 0,
    '*': (a: number, b: number) => Math.imul(a, b),
    '/': (a: number, b: number) => Math.trunc(a / b) | 0,
    '%': (a: number, b: number) => (a % b) | 0,
  }[operator];
  const divides = operator === '/' || operator === '%';
  return (event, state) => {
    const l = left(event, state);
    if (state.error) return 0;
    const r = right(event, state);
    if (state.error) return 0;
    const a = castToInteger(l, state);
    if (state.error) return 0;
    const b = castToInteger(r, state);
    if (state.error) return 0;
    if (divides && b === 0) {
      fail(state, 'math', `${operator === '/' ? 'division' : 'modulo'} by zero`);
      return 0;
    }
    return apply(a, b);
  };
}

function compileCall(name: string, argNodes: Node[]): Evaluator {
  const fn = resolveFunction(name, argNodes.length);
  if (!fn) {
    // The call parses; dispatching it fails at evaluation with false (§3.5).
    const message = `no function ${name} taking ${argNodes.length} argument(s)`;
    return (_event, state) => {
      fail(state, 'missingFunction', message);
      return false;
    };
  }
  const args = argNodes.map(compileNode);
  const zero = ZERO[fn.returns];
  const typeAt = (i: number) => fn.parameters[i] ?? fn.rest ?? 'Any';
  return (event, state) => {
    const values: CesqlValue[] = [];
    for (let i = 0; i < args.length; i += 1) {
      const value = (args[i] as Evaluator)(event, state);
      if (state.error) return zero;
      const converted = cast(value, typeAt(i), state);
      if (state.error) return zero;
      values.push(converted);
    }
    return fn.run(values, state);
  };
}

/** A parsed CESQL expression, compiled once and evaluated against any number of events. */
export class Expression {
  private readonly evaluator: Evaluator;
  /** see Syntax.mixesLogicalOperators */
  readonly mixesLogicalOperators: boolean;

  constructor(readonly source: string) {
    const syntax = parseSyntax(source);
    this.evaluator = compileNode(syntax.root);
    this.mixesLogicalOperators = syntax.mixesLogicalOperators;
  }

  evaluate(event: CesqlEvent): Evaluation {
    const state: EvaluationState = { error: undefined };
    const value = this.evaluator(event, state);
    const { error } = state;
    return error ? { value, error: new CesqlError(error.kind, error.message) } : { value };
  }

  /**
   * The expression as a filter (§1.2): an event passes only when the expression evaluates to the
   * Boolean true without an error.
   */
  test(event: CesqlEvent): boolean {
    const state: EvaluationState = { error: undefined };
    return this.evaluator(event, state) === true && state.error === undefined;
  }
}

/** Parses and compiles an expression; a syntax error throws a CesqlError of kind `parse`. */
export function compile(source: string): Expression {
  return new Expression(source);
}
