/**
 * Postgres stores no U+0000: not in text (an invalid byte sequence) nor in jsonb (an unsupported
 * escape), though JSON may hold it. A value about to be stored is refused at the door, naming
 * where the NUL is, instead of failing its transaction with a 500 and every retry after it.
 */
export function nulProblem(value: unknown, at: string): string | undefined {
  if (typeof value === 'string')
    return value.includes('\u0000') ? `${at} holds U+0000, which cannot be stored` : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const problem = nulProblem(item, `${at}[${index}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000'))
      return `${at} has a property name holding U+0000, which cannot be stored: ${key}`;
    const problem = nulProblem(item, `${at}.${key}`);
    if (problem) return problem;
  }
  return undefined;
}
