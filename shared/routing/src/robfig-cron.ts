/**
 * The schedules Knative's PingSource webhook admits: a port of github.com/robfig/cron/v3 v3.0.1
 * Parser.Parse (parser.go) with the options knative/eventing passes it (SecondOptional | Minute |
 * Hour | Dom | Month | Dow | Descriptor; pkg/apis/sources/v1/ping_validation.go:49-51), returning
 * robfig's own error text. Time zones are Go's time.LoadLocation: IANA names, case-sensitive.
 */
interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// spec.go: seconds, minutes, hours, dom, months, dow
const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(MONTHS.map((m, i) => [m, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(DAYS.map((d, i) => [d, i])) },
];
const DESCRIPTORS = [
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
];

/** strconv.Atoi, then robfig's refusal of negatives. */
function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr))
    throw new Error(
      `failed to parse int from ${expr}: strconv.Atoi: parsing "${expr}": invalid syntax`,
    );
  const num = Number(expr);
  if (!Number.isSafeInteger(num))
    throw new Error(
      `failed to parse int from ${expr}: strconv.Atoi: parsing "${expr}": value out of range`,
    );
  if (num < 0) throw new Error(`negative number (${num}) not allowed: ${expr}`);
  return num;
}

function parseIntOrName(expr: string, names: Record<string, number> | undefined): number {
  const named = names?.[expr.toLowerCase()];
  return named ?? mustParseInt(expr);
}

function checkRange(expr: string, bounds: Bounds): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, bounds.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, bounds.names);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    if (lowAndHigh.length === 1) end = bounds.max;
  } else if (rangeAndStep.length > 2) {
    throw new Error(`too many slashes: ${expr}`);
  }
  if (start < bounds.min)
    throw new Error(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max)
    throw new Error(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end)
    throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
}

/** Go's time.LoadLocation: "" and "UTC" are UTC, "Local" the process's; else a tzdata name. */
export function goLoadLocationProblem(name: string): string | undefined {
  if (name === '' || name === 'UTC' || name === 'Local') return undefined;
  const unknown = `unknown time zone ${name}`;
  // LoadLocation refuses names that could escape the zoneinfo directory.
  if (name.includes('..') || name.startsWith('/') || name.includes('\\'))
    return 'invalid location name';
  try {
    const resolved = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
    // Intl matches names case-insensitively; tzdata file names are case-sensitive.
    const canonical = new Set(Intl.supportedValuesOf('timeZone'));
    if (canonical.has(name) || resolved === name) return undefined;
    if (resolved.toLowerCase() === name.toLowerCase()) return unknown;
    // An alias (US/Eastern, Asia/Calcutta): its spelling must be tzdata's, which capitalises.
    return /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z0-9][A-Za-z0-9_+-]*)*$/.test(name) ? undefined : unknown;
  } catch {
    return unknown;
  }
}

/** robfig's error for the spec, or undefined when it parses. */
export function robfigCronProblem(input: string): string | undefined {
  if (input.length === 0) return 'empty spec string';
  let spec = input;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    const eq = spec.indexOf('=');
    const location = space < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, space);
    const problem = goLoadLocationProblem(location);
    if (problem) return `provided bad location ${location}: ${problem}`;
    spec = space < 0 ? '' : spec.slice(space).trim();
  }
  if (spec.startsWith('@')) {
    if (DESCRIPTORS.includes(spec)) return undefined;
    if (spec.startsWith('@every ')) return everyProblem(spec);
    return `unrecognized descriptor: ${spec}`;
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length < 5 || fields.length > 6)
    return `expected 5 to 6 fields, found ${fields.length}: [${fields.join(' ')}]`;
  const expanded = fields.length === 5 ? ['0', ...fields] : fields;
  try {
    expanded.forEach((field, i) => {
      for (const expr of field.split(',').filter((e) => e !== '')) checkRange(expr, FIELDS[i]!);
    });
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/** `@every <Go duration>`; PingSource refuses @every before robfig sees it, so only the shape. */
function everyProblem(descriptor: string): string | undefined {
  const duration = descriptor.slice('@every '.length);
  return /^[+-]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))*$/.test(
    duration,
  ) || duration === '0'
    ? undefined
    : `failed to parse duration ${descriptor}: time: invalid duration "${duration}"`;
}
