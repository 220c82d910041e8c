import { parseError, tokenize, type Keyword, type Operator, type Token } from './lexer';
import type { CesqlValue } from './values';

export type LogicalOperator = 'AND' | 'OR' | 'XOR';
export type ComparisonOperator = '=' | '!=' | '<>' | '>=' | '<=' | '<' | '>';
export type ArithmeticOperator = '*' | '/' | '%' | '+' | '-';

export type Node =
  | { kind: 'literal'; value: CesqlValue }
  | { kind: 'attribute'; name: string }
  | { kind: 'exists'; name: string }
  | { kind: 'not'; operand: Node }
  | { kind: 'negate'; operand: Node }
  | { kind: 'like'; operand: Node; pattern: string; negated: boolean }
  | { kind: 'in'; operand: Node; set: Node[]; negated: boolean }
  | { kind: 'logical'; operator: LogicalOperator; left: Node; right: Node }
  | { kind: 'comparison'; operator: ComparisonOperator; left: Node; right: Node }
  | { kind: 'arithmetic'; operator: ArithmeticOperator; left: Node; right: Node }
  | { kind: 'call'; name: string; args: Node[] };

export interface Syntax {
  root: Node;
  /**
   * Whether AND, OR and XOR meet in one chain without parentheses (`a AND b OR c`). The spec
   * evaluates such a chain left to right (§3.6); its ANTLR grammar, which Knative's brokers are
   * generated from, groups it from the right (`<assoc=right>`): the two disagree on its value.
   */
  mixesLogicalOperators: boolean;
}

const COMPARISON = new Set<Operator>(['=', '!=', '<>', '>=', '<=', '<', '>']);
const ADDITIVE = new Set<Operator>(['+', '-']);
const MULTIPLICATIVE = new Set<Operator>(['*', '/', '%']);
const LOGICAL = new Set<Keyword>(['AND', 'OR', 'XOR']);
const IDENTIFIER = /^[A-Za-z0-9]+$/;
const FUNCTION_NAME = /^[A-Za-z][A-Za-z_]*$/;

function shown(token: Token): string {
  switch (token.kind) {
    case 'keyword':
      return token.keyword;
    case 'operator':
      return `"${token.operator}"`;
    case 'integer':
      return `integer ${token.value}`;
    case 'string':
      return 'a string literal';
    case 'word':
      return `"${token.text}"`;
    case 'end':
      return 'end of expression';
    default:
      return `"${token.kind}"`;
  }
}

/**
 * Recursive descent over the precedence of §3.6, loosest first; equal precedence associates to
 * the left:
 *
 *   expression     ::= comparison ( ( AND | OR | XOR ) comparison )*
 *   comparison     ::= additive ( ( = | != | <> | >= | <= | < | > ) additive )*
 *   additive       ::= multiplicative ( ( + | - ) multiplicative )*
 *   multiplicative ::= postfix ( ( * | / | % ) postfix )*
 *   postfix        ::= unary ( NOT? LIKE string-literal | NOT? IN "(" expression ( "," expression )* ")" )*
 *   unary          ::= NOT unary | - unary | primary
 *   primary        ::= integer-literal | string-literal | TRUE | FALSE | EXISTS identifier
 *                    | function-name "(" ( expression ( "," expression )* )? ")"
 *                    | identifier | "(" expression ")"
 *
 * Unary operators bind tighter than LIKE and IN, as §3.6 orders them: `NOT a LIKE 'x'` is
 * `(NOT a) LIKE 'x'`.
 */
class Parser {
  private position = 0;
  mixesLogicalOperators = false;

  constructor(private readonly tokens: Token[]) {}

  private get current(): Token {
    return this.tokens[this.position] as Token;
  }

  private advance(): Token {
    const token = this.current;
    if (token.kind !== 'end') this.position += 1;
    return token;
  }

  private isKeyword(keyword: Keyword, offset = 0): boolean {
    const token = this.tokens[this.position + offset];
    return token?.kind === 'keyword' && token.keyword === keyword;
  }

  private expect(kind: '(' | ')', context: string): void {
    if (this.current.kind !== kind) {
      throw parseError(
        `expected "${kind}" ${context}, found ${shown(this.current)}`,
        this.current.at,
      );
    }
    this.advance();
  }

  parseRoot(): Node {
    const root = this.expression();
    if (this.current.kind !== 'end') {
      throw parseError(`unexpected ${shown(this.current)}`, this.current.at);
    }
    return root;
  }

  private expression(): Node {
    let left = this.comparison();
    let first: LogicalOperator | undefined;
    for (;;) {
      const token = this.current;
      if (token.kind !== 'keyword' || !LOGICAL.has(token.keyword)) return left;
      const operator = token.keyword as LogicalOperator;
      if (first !== undefined && first !== operator) this.mixesLogicalOperators = true;
      first ??= operator;
      this.advance();
      left = { kind: 'logical', operator, left, right: this.comparison() };
    }
  }

  private binary<K extends 'comparison' | 'arithmetic'>(
    kind: K,
    operators: Set<Operator>,
    operand: () => Node,
  ): Node {
    let left = operand();
    for (;;) {
      const token = this.current;
      if (token.kind !== 'operator' || !operators.has(token.operator)) return left;
      this.advance();
      left = { kind, operator: token.operator, left, right: operand() } as Node;
    }
  }

  private comparison(): Node {
    return this.binary('comparison', COMPARISON, () => this.additive());
  }

  private additive(): Node {
    return this.binary('arithmetic', ADDITIVE, () => this.multiplicative());
  }

  private multiplicative(): Node {
    return this.binary('arithmetic', MULTIPLICATIVE, () => this.postfix());
  }

  private postfix(): Node {
    let operand = this.unary();
    for (;;) {
      const negated =
        this.isKeyword('NOT') && (this.isKeyword('LIKE', 1) || this.isKeyword('IN', 1));
      if (negated) this.advance();
      if (this.isKeyword('LIKE')) {
        this.advance();
        const pattern = this.advance();
        if (pattern.kind !== 'string') {
          throw parseError(
            `the pattern of LIKE must be a string literal, found ${shown(pattern)}`,
            pattern.at,
          );
        }
        operand = { kind: 'like', operand, pattern: pattern.value, negated };
      } else if (this.isKeyword('IN')) {
        this.advance();
        this.expect('(', 'after IN');
        const set = [this.expression()];
        while (this.current.kind === ',') {
          this.advance();
          set.push(this.expression());
        }
        this.expect(')', 'to close the set of IN');
        operand = { kind: 'in', operand, set, negated };
      } else {
        return operand;
      }
    }
  }

  private unary(): Node {
    if (this.isKeyword('NOT')) {
      this.advance();
      return { kind: 'not', operand: this.unary() };
    }
    const token = this.current;
    if (token.kind === 'operator' && token.operator === '-') {
      this.advance();
      return { kind: 'negate', operand: this.unary() };
    }
    return this.primary();
  }

  private identifier(token: Token): string {
    if (token.kind !== 'word' || !IDENTIFIER.test(token.text)) {
      throw parseError(`expected an attribute name, found ${shown(token)}`, token.at);
    }
    // Attribute names are lower case (§2.2); the spec's TCK reads `EXISTS SOURCE` as `source`.
    return token.text.toLowerCase();
  }

  private primary(): Node {
    const token = this.advance();
    switch (token.kind) {
      case 'integer':
      case 'string':
        return { kind: 'literal', value: token.value };
      case 'keyword':
        if (token.keyword === 'TRUE' || token.keyword === 'FALSE') {
          return { kind: 'literal', value: token.keyword === 'TRUE' };
        }
        if (token.keyword === 'EXISTS')
          return { kind: 'exists', name: this.identifier(this.advance()) };
        break;
      case '(': {
        const inner = this.expression();
        this.expect(')', 'to close "("');
        return inner;
      }
      case 'word':
        if (this.current.kind === '(') return this.call(token.text, token.at);
        return { kind: 'attribute', name: this.identifier(token) };
    }
    throw parseError(`unexpected ${shown(token)}`, token.at);
  }

  private call(name: string, at: number): Node {
    if (!FUNCTION_NAME.test(name)) throw parseError(`"${name}" is not a function name`, at);
    this.advance();
    const args: Node[] = [];
    if (this.current.kind !== ')') {
      args.push(this.expression());
      while (this.current.kind === ',') {
        this.advance();
        args.push(this.expression());
      }
    }
    this.expect(')', `to close the arguments of ${name.toUpperCase()}`);
    // Function names are case-insensitive keywords of the language (§2).
    return { kind: 'call', name: name.toUpperCase(), args };
  }
}

/** Parses a CESQL expression; a syntax error throws a CesqlError of kind `parse`. */
export function parseSyntax(source: string): Syntax {
  const parser = new Parser(tokenize(source));
  const root = parser.parseRoot();
  return { root, mixesLogicalOperators: parser.mixesLogicalOperators };
}
