/** What Postgres refuses in jsonb text: U+0000, and a UTF-16 surrogate without its pair. */
// eslint-disable-next-line no-control-regex -- U+0000 is what it looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path to the first string or key jsonb cannot hold. */
function pathToNul(value: unknown, at: string[]): string[] | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? at : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = pathToNul(item, [...at, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) return [...at, key];
    const found = pathToNul(item, [...at, key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * Why a value cannot be stored as jsonb, naming where, or undefined when it can; and a value is
 * bounded so one execution's history stays readable in one read.
 */
export function storedJsonProblem(
  value: unknown,
  field: string,
  maxBytes: number,
): string | undefined {
  const nul = pathToNul(value, [field]);
  if (nul) return `${nul.join('.')} must not contain U+0000 or an unpaired surrogate`;
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null));
  if (bytes > maxBytes) return `${field} is ${bytes} bytes of JSON, more than ${maxBytes}`;
  return undefined;
}

/** The most a start's input or a task's output may be, as JSON. */
export const MAX_DATA_BYTES = 262_144;
