/** What Postgres cannot store though JSON may hold it: U+0000, and a UTF-16 surrogate without its pair. */
// eslint-disable-next-line no-control-regex -- U+0000 is what it looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path (`at`, then keys and indexes) to the first string or property name Postgres refuses. */
function unstorablePath(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? at : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = unstorablePath(item, `${at}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) return `${at}.${key}`;
    const found = unstorablePath(item, `${at}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * Postgres stores no U+0000 (text: an invalid byte sequence; jsonb: an unsupported escape) and
 * jsonb no unpaired surrogate, though JSON may hold both. A value about to be stored is refused
 * at the door, naming where, instead of failing its transaction with a 500 and every retry after.
 */
export function unstorableProblem(value: unknown, at: string): string | undefined {
  const path = unstorablePath(value, at);
  return path && `${path} holds U+0000 or an unpaired surrogate, which cannot be stored`;
}
