import { CesqlError, compile, type CesqlErrorKind, type CesqlValue } from './index';

// The behaviours the spec's TCK (test/cesql) leaves out.

const event = { specversion: '1.0', id: 'e-1', source: '/s', type: 't', subject: 'SUBJ', n: '7' };

function parseErrorOf(source: string): string | undefined {
  try {
    compile(source);
    return undefined;
  } catch (error) {
    return error instanceof CesqlError && error.kind === 'parse' ? error.message : 'other error';
  }
}

const cases: Array<[string, string, CesqlValue, CesqlErrorKind?]> = [
  ['a sum past INT32_MAX wraps (32-bit two’s complement)', '2147483647 + 1', -2147483648],
  ['a difference past INT32_MIN wraps', '-2147483648 - 1', 2147483647],
  ['a product past the range wraps', '65536 * 65536', 0],
  ['INT32_MIN / -1 wraps', '-2147483648 / -1', -2147483648],
  ['negating INT32_MIN wraps', '-(-2147483648)', -2147483648],
  ['INT32_MIN % -1 is 0', '-2147483648 % -1', 0],
  ['a string past the range does not cast to Integer', "'2147483648' + 0", 0, 'cast'],
  ['a string with spaces does not cast to Integer', "' 1' + 0", 0, 'cast'],
  ['a leading + and zeros cast', "'+007' + 0", 7],
  ['division truncates toward zero', '-7 / 2', -3],
  ['modulo keeps the sign of the dividend', '-7 % 2', -1],
  ['AND, OR and XOR chain left to right (§3.6)', 'TRUE OR TRUE AND FALSE', false],
  ['parentheses regroup them', 'TRUE OR (TRUE AND FALSE)', true],
  ['NOT binds tighter than LIKE (§3.6)', "NOT TRUE LIKE 'fa%'", true],
  ['keywords are case-insensitive', "'abc' lIkE 'a%' aNd 1 In (1) oR NoT eXiStS x", true],
  ['attribute names are case-insensitive', "SUBJECT = 'SUBJ'", true],
  ['string comparison is case-sensitive', "subject = 'subj'", false],
  ['an escaped delimiter is the delimiter', "'it\\'s' = \"it's\"", true],
  ['a backslash before anything else stays', "LENGTH('a\\b')", 3],
  ['LENGTH counts characters, not UTF-16 units', "LENGTH('✓🚀')", 2],
  ['LEFT and RIGHT take characters', "CONCAT(LEFT('🚀ab', 1), RIGHT('ab🚀', 1))", '🚀🚀'],
  ['SUBSTRING takes characters', "SUBSTRING('a🚀b', 2, 1)", '🚀'],
  ['SUBSTRING with a negative length fails', "SUBSTRING('abc', 1, -1)", '', 'functionEvaluation'],
  ['_ matches one character, not one UTF-16 unit', "'🚀' LIKE '_'", true],
  ['TRIM removes Unicode whitespace', "TRIM(' \u2003a b\u00a0\u3000') = 'a b'", true],
  [
    'a % pattern does not backtrack exponentially',
    `'${'a'.repeat(5000)}' LIKE '%a%a%a%a%a%a%a%b'`,
    false,
  ],
  ['LIKE escapes % and _ only', "'a\\b%' LIKE 'a\\b\\%'", true],
  ['IN stops at the first match', 'n IN (7, 1 / 0)', true],
  ['IN evaluates the set until a match', 'n IN (1, 1 / 0)', false, 'math'],
  ['IS_INT tells whether a value casts to Integer', "IS_INT(n) AND NOT IS_INT('x')", true],
  ['IS_BOOL tells whether a value casts to Boolean', "IS_BOOL('TRUE') AND NOT IS_BOOL(n)", true],
  ['an unknown function parses and fails at evaluation', 'NOPE(1)', false, 'missingFunction'],
];

describe('CESQL evaluation beyond the TCK', () => {
  it.each(cases.map(([name, source, value, error]) => ({ name, source, value, error })))(
    '$name',
    ({ source, value, error }) => {
      const result = compile(source).evaluate(event);
      expect({ value: result.value, error: result.error?.kind }).toEqual({ value, error });
    },
  );

  it.each([
    ['an integer literal past INT32_MAX', '2147483648'],
    ['an integer literal past INT32_MIN', '-2147483649'],
    ['a sign directly before a digit belongs to the literal, as in the spec’s lexer', 'n-1 > 0'],
    ['a doubled quote inside a literal (§2.2 allows only \\)', "'a''b' = 'x'"],
    ['an unterminated string', "'abc"],
    ['an empty expression', ''],
    ['an empty IN set', 'n IN ()'],
    ['an identifier with an underscore', 'my_attr = 1'],
    ['a function name with a digit', 'F1(1)'],
    ['a LIKE pattern that is not a string literal', 'subject LIKE subject'],
    ['whitespace the spec’s lexer does not skip', '1\u00a0= 1'],
    ['a dangling operator', '1 +'],
  ])('refuses to parse %s', (_name, source) => {
    expect(parseErrorOf(source)).toMatch(/at position \d+/);
  });

  it('reads typed attributes as their CESQL type and anything else as a String (§3.2)', () => {
    const typed = { ...event, count: 41, flag: true, big: 2 ** 40, ratio: 0.5 };
    expect(compile('count + 1 = 42 AND flag AND big = "1099511627776"').evaluate(typed)).toEqual({
      value: true,
    });
    expect(compile("ratio = '0.5'").evaluate(typed)).toEqual({ value: true });
  });

  it('as a filter, passes only a Boolean true reached without an error (§1.2)', () => {
    expect(compile("subject = 'SUBJ'").test(event)).toBe(true);
    expect(compile("subject = 'other'").test(event)).toBe(false);
    expect(compile("'true'").test(event)).toBe(false);
    expect(compile('1').test(event)).toBe(false);
    expect(compile('missing OR TRUE').test(event)).toBe(false);
    expect(compile("LEFT('abc', -1) = 'abc'").test(event)).toBe(false);
  });

  it('flags AND, OR and XOR meeting without parentheses, whose grouping implementations differ', () => {
    expect(compile('TRUE AND TRUE OR FALSE').mixesLogicalOperators).toBe(true);
    expect(compile('TRUE XOR (TRUE AND FALSE)').mixesLogicalOperators).toBe(false);
    expect(compile('TRUE AND TRUE AND (FALSE OR TRUE)').mixesLogicalOperators).toBe(false);
    expect(compile('n IN (TRUE AND FALSE OR TRUE)').mixesLogicalOperators).toBe(true);
  });
});
