import { readPath } from './json-paths';
import { StatesError } from './states-error';

/**
 * What a template is evaluated against besides its data: the context object (`$$`) and where
 * States.UUID draws from, which the interpreter derives from the execution so a decision is a
 * function of its history.
 */
export interface EvaluationScope {
  context: unknown;
  uuid(): string;
}

type Argument =
  | { kind: 'literal'; value: unknown }
  | { kind: 'path'; path: string }
  | { kind: 'call'; call: Call };

interface Call {
  name: string;
  args: Argument[];
}

const ARITY: Record<string, [number, number]> = {
  'States.Format': [1, Infinity],
  'States.StringToJson': [1, 1],
  'States.JsonToString': [1, 1],
  'States.Array': [0, Infinity],
  'States.ArrayLength': [1, 1],
  'States.ArrayGetItem': [2, 2],
  'States.MathAdd': [2, 2],
  'States.StringSplit': [2, 2],
  'States.UUID': [0, 0],
};

export function isIntrinsic(value: string): boolean {
  return /^States\.[A-Za-z]+\(/.test(value.trimStart());
}

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  parse(): Call {
    const call = this.call();
    this.space();
    if (this.at !== this.text.length) this.fail('unexpected text after the call');
    return call;
  }

  private fail(problem: string): never {
    throw new Error(`${problem} at character ${this.at + 1}`);
  }

  private space(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  private call(): Call {
    this.space();
    const name = /^States\.[A-Za-z]+/.exec(this.text.slice(this.at))?.[0];
    if (!name) this.fail('expected States.<function>(');
    this.at += name.length;
    const arity = ARITY[name];
    if (!arity) this.fail(`unknown intrinsic function ${name}`);
    if (this.text[this.at] !== '(') this.fail('expected (');
    this.at++;
    const args: Argument[] = [];
    this.space();
    if (this.text[this.at] === ')') {
      this.at++;
    } else {
      for (;;) {
        args.push(this.argument());
        this.space();
        const c = this.text[this.at++];
        if (c === ')') break;
        if (c !== ',') this.fail('expected , or )');
      }
    }
    if (args.length < arity[0] || args.length > arity[1]) {
      this.fail(`${name} takes ${arity[0]}${arity[1] === arity[0] ? '' : ' or more'} arguments`);
    }
    return { name, args };
  }

  private argument(): Argument {
    this.space();
    const rest = this.text.slice(this.at);
    if (rest.startsWith("'")) return { kind: 'literal', value: this.string() };
    if (rest.startsWith('States.')) return { kind: 'call', call: this.call() };
    if (rest.startsWith('$')) {
      const path = /^\$[^,)]*/.exec(rest)?.[0] as string;
      this.at += path.length;
      return { kind: 'path', path: path.trimEnd() };
    }
    const literal = /^(-?\d+(\.\d+)?|true|false|null)/.exec(rest)?.[0];
    if (!literal) this.fail('expected a string, number, boolean, null, path or call');
    this.at += literal.length;
    return { kind: 'literal', value: JSON.parse(literal) };
  }

  private string(): string {
    this.at++;
    let out = '';
    for (;;) {
      const c = this.text[this.at++];
      if (c === undefined) this.fail('unterminated string');
      if (c === "'") return out;
      if (c === '\\') {
        const escaped = this.text[this.at++];
        if (escaped === undefined) this.fail('unterminated string');
        out += escaped;
      } else {
        out += c;
      }
    }
  }
}

/** A problem with an intrinsic call's syntax, or undefined when it parses. */
export function validateIntrinsic(text: string): string | undefined {
  try {
    new Parser(text).parse();
    return undefined;
  } catch (err) {
    return `is not a valid intrinsic call: ${(err as Error).message}`;
  }
}

export function evaluateIntrinsic(text: string, data: unknown, scope: EvaluationScope): unknown {
  let call: Call;
  try {
    call = new Parser(text).parse();
  } catch (err) {
    throw new StatesError('States.IntrinsicFailure', (err as Error).message);
  }
  return evaluate(call, data, scope);
}

function evaluate(call: Call, data: unknown, scope: EvaluationScope): unknown {
  const args = call.args.map((a) => {
    if (a.kind === 'literal') return a.value;
    if (a.kind === 'path') return readPath(data, a.path, scope.context);
    return evaluate(a.call, data, scope);
  });
  const failure = (cause: string) =>
    new StatesError('States.IntrinsicFailure', `${call.name}: ${cause}`);
  switch (call.name) {
    case 'States.Format': {
      const [template, ...values] = args;
      if (typeof template !== 'string') throw failure('the template must be a string');
      const parts = template.split('{}');
      if (parts.length - 1 !== values.length) {
        throw failure(`the template has ${parts.length - 1} {} for ${values.length} values`);
      }
      return parts.reduce((out, part, i) => {
        if (i === 0) return part;
        const value = values[i - 1];
        if (typeof value === 'object' && value !== null) throw failure('values must be scalars');
        return `${out}${String(value)}${part}`;
      }, '');
    }
    case 'States.StringToJson':
      if (typeof args[0] !== 'string') throw failure('the argument must be a string');
      try {
        return JSON.parse(args[0]);
      } catch {
        throw failure('the argument is not JSON');
      }
    case 'States.JsonToString':
      return JSON.stringify(args[0]);
    case 'States.Array':
      return args;
    case 'States.ArrayLength':
      if (!Array.isArray(args[0])) throw failure('the argument must be an array');
      return args[0].length;
    case 'States.ArrayGetItem': {
      const [array, index] = args;
      if (!Array.isArray(array) || !Number.isInteger(index)) {
        throw failure('takes an array and an integer index');
      }
      if ((index as number) < 0 || (index as number) >= array.length) {
        throw failure('the index is out of range');
      }
      return array[index as number];
    }
    case 'States.MathAdd':
      if (typeof args[0] !== 'number' || typeof args[1] !== 'number') {
        throw failure('takes two numbers');
      }
      return args[0] + args[1];
    case 'States.StringSplit':
      if (typeof args[0] !== 'string' || typeof args[1] !== 'string') {
        throw failure('takes two strings');
      }
      return args[0]
        .split(new RegExp(`[${args[1].replace(/[\\\]^-]/g, '\\$&')}]`))
        .filter((s) => s !== '');
    case 'States.UUID':
      return scope.uuid();
    default:
      throw failure('unknown function');
  }
}
