import { CesqlError, INT32_MAX, INT32_MIN } from './values';

export type Keyword = 'AND' | 'OR' | 'XOR' | 'NOT' | 'LIKE' | 'EXISTS' | 'IN' | 'TRUE' | 'FALSE';

export type Operator = '*' | '/' | '%' | '+' | '-' | '=' | '!=' | '<>' | '>=' | '<=' | '<' | '>';

export type Token =
  | { kind: 'keyword'; keyword: Keyword; at: number }
  | { kind: 'operator'; operator: Operator; at: number }
  | { kind: 'integer'; value: number; at: number }
  | { kind: 'string'; value: string; at: number }
  /** a run of letters, digits and underscores: an identifier or a function name */
  | { kind: 'word'; text: string; at: number }
  | { kind: '(' | ')' | ','; at: number }
  | { kind: 'end'; at: number };

const KEYWORDS = new Set<string>([
  'AND',
  'OR',
  'XOR',
  'NOT',
  'LIKE',
  'EXISTS',
  'IN',
  'TRUE',
  'FALSE',
]);
const TWO_CHAR_OPERATORS = new Set<string>(['!=', '<>', '>=', '<=']);
const ONE_CHAR_OPERATORS = new Set<string>(['*', '/', '%', '+', '-', '=', '<', '>']);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isWordChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
// The spec's lexer (CESQLLexer.g4) skips these four and no other whitespace.
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

export function parseError(message: string, at: number): CesqlError {
  return new CesqlError('parse', `${message} at position ${at + 1}`);
}

function integerToken(text: string, at: number): Token {
  const value = Number(text);
  if (value < INT32_MIN || value > INT32_MAX) {
    throw parseError(`integer literal ${text} is not a 32-bit signed integer`, at);
  }
  return { kind: 'integer', value: value | 0, at };
}

/**
 * A string literal delimited by `quote`. A backslash pairs with the next character, as in the
 * spec's lexer; only `\` before the delimiter is an escape (§2.2), any other pair stays as written
 * (so `'ab\c'` is the four characters a, b, \, c).
 */
function readString(source: string, start: number): { value: string; end: number } {
  const quote = source[start];
  let value = '';
  for (let i = start + 1; i < source.length; i += 1) {
    const c = source[i];
    if (c === '\\' && i + 1 < source.length) {
      const next = source[i + 1] as string;
      value += next === quote ? next : c + next;
      i += 1;
    } else if (c === quote) {
      return { value, end: i + 1 };
    } else {
      value += c;
    }
  }
  throw parseError('unterminated string literal', start);
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // A sign directly before a digit belongs to the literal (maximal munch, as CESQLLexer.g4 and
  // the evaluators generated from it read `x-1`: as `x` then `-1`, which then fails to parse).
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (isSpace(c)) {
      i += 1;
    } else if ((c === '+' || c === '-') && isDigit(source[i + 1])) {
      let end = i + 1;
      while (isDigit(source[end])) end += 1;
      tokens.push(integerToken(source.slice(i, end), i));
      i = end;
    } else if (isWordChar(c)) {
      let end = i;
      while (isWordChar(source[end])) end += 1;
      const text = source.slice(i, end);
      const upper = text.toUpperCase();
      if (/^[0-9]+$/.test(text)) tokens.push(integerToken(text, i));
      else if (KEYWORDS.has(upper))
        tokens.push({ kind: 'keyword', keyword: upper as Keyword, at: i });
      else tokens.push({ kind: 'word', text, at: i });
      i = end;
    } else if (c === "'" || c === '"') {
      const { value, end } = readString(source, i);
      tokens.push({ kind: 'string', value, at: i });
      i = end;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, at: i });
      i += 1;
    } else if (TWO_CHAR_OPERATORS.has(source.slice(i, i + 2))) {
      tokens.push({ kind: 'operator', operator: source.slice(i, i + 2) as Operator, at: i });
      i += 2;
    } else if (ONE_CHAR_OPERATORS.has(c)) {
      tokens.push({ kind: 'operator', operator: c as Operator, at: i });
      i += 1;
    } else {
      throw parseError(`unexpected character ${JSON.stringify(c)}`, i);
    }
  }
  tokens.push({ kind: 'end', at: source.length });
  return tokens;
}
