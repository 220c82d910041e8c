/**
 * ISO-8601 periods exactly as Knative Eventing reads them: a port of github.com/rickb777/date
 * v1.13.0 period.Parse (period/parse.go), which its webhook and dispatchers call for
 * `backoffDelay`, `timeout` and `retryAfterMax`. Its quirks are kept on purpose, because they
 * decide what a cluster admits: a sign may precede the P ("-PT1S"), each number keeps only one
 * decimal digit ("PT1.25S" is 1.2 s), a decimal comma is allowed, and "P0" is zero.
 */
export interface ParsedPeriod {
  ok: boolean;
  /** every component is zero */
  zero: boolean;
  /** some component is below zero */
  negative: boolean;
  /**
   * every number is plain decimal digits with at most one decimal mark; the parser also reads
   * "1.2.3" (as 1.2) and signed components, which no delivery setting means anything by
   */
  plain: boolean;
  /** the length as Knative's dispatchers wait it: a year 365.2425 days, a month 30.436875 */
  milliseconds: number;
  /** why it does not parse */
  error?: string;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** parseDecimalFixedPoint: one decimal digit kept, as tenths; strconv.ParseInt(s, 10, 64). */
function tenths(text: string): bigint | undefined {
  let dec = text.indexOf('.');
  if (dec < 0) dec = text.indexOf(',');
  let digits: string;
  if (dec >= 0) {
    digits =
      text.length - dec > 1
        ? text.slice(0, dec) + text.slice(dec + 1, dec + 2)
        : text.slice(0, dec) + text.slice(dec + 1) + '0';
  } else {
    digits = text + '0';
  }
  if (!/^[+-]?\d+$/.test(digits)) return undefined;
  const value = BigInt(digits);
  return value > INT64_MAX || value < INT64_MIN ? undefined : value;
}

interface State {
  rest: string;
  ok: boolean;
  failed: boolean;
  plain: boolean;
}

const PLAIN_NUMBER = /^(?=[.,]?\d)\d*(?:[.,]\d*)?$/;

/** parseField: the number before the first `mark`, when the mark is not the first character. */
function field(state: State, mark: string): bigint {
  const at = state.rest.indexOf(mark);
  if (at > 0) {
    const text = state.rest.slice(0, at);
    const value = tenths(text);
    state.plain &&= PLAIN_NUMBER.test(text);
    if (value === undefined) {
      state.failed = true;
      return 0n;
    }
    state.rest = state.rest.slice(at + 1);
    state.ok = true;
    return value;
  }
  return 0n;
}

const refused = (error: string): ParsedPeriod => ({
  ok: false,
  zero: false,
  negative: false,
  plain: false,
  milliseconds: Number.NaN,
  error,
});

export function parseIsoPeriod(period: string): ParsedPeriod {
  if (period === '') return refused('cannot parse a blank string as a period');
  if (period === 'P0')
    return { ok: true, zero: true, negative: false, plain: true, milliseconds: 0 };
  let text = period;
  let negative = false;
  if (text[0] === '-') {
    negative = true;
    text = text.slice(1);
  } else if (text[0] === '+') {
    text = text.slice(1);
  }
  if (text[0] !== 'P') return refused(`expected 'P' period mark at the start: ${period}`);
  text = text.slice(1);

  const state: State = { rest: text, ok: false, failed: false, plain: !negative };
  // hours, minutes, seconds, then years, months, weeks, days; absent ones are zero.
  const values: bigint[] = [0n, 0n, 0n];
  const t = text.indexOf('T');
  if (t >= 0) {
    values.length = 0;
    state.rest = text.slice(t + 1);
    for (const mark of ['H', 'M', 'S']) {
      values.push(field(state, mark));
      if (state.failed) return refused(`expected a number before the '${mark}' marker: ${period}`);
    }
    if (state.rest.length !== 0)
      return refused(`unexpected remaining components ${state.rest}: ${period}`);
    state.rest = text.slice(0, t);
  }
  for (const mark of ['Y', 'M', 'W', 'D']) {
    values.push(field(state, mark));
    if (state.failed) return refused(`expected a number before the '${mark}' marker: ${period}`);
  }
  if (state.rest.length !== 0)
    return refused(`unexpected remaining components ${state.rest}: ${period}`);
  if (!state.ok) return refused(`expected 'Y', 'M', 'W', 'D', 'H', 'M', or 'S' marker: ${period}`);
  // result.days = weeks*7 + days
  const [hours, minutes, seconds, years, months, weeks, days] = values as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  const components = [years, months, weeks * 7n + days, hours, minutes, seconds];
  const zero = components.every((v) => v === 0n);
  const dayTenths =
    Number(years) * 365.2425 + Number(months) * 30.436875 + Number(weeks * 7n + days);
  const secondTenths = Number(hours * 3600n + minutes * 60n + seconds);
  return {
    ok: true,
    zero,
    negative: negative ? components.some((v) => v > 0n) : components.some((v) => v < 0n),
    plain: state.plain,
    milliseconds: Math.round((dayTenths * 8_640_000 + secondTenths * 100) * (negative ? -1 : 1)),
  };
}
