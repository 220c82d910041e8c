const ANY = -1;
const ONE = -2;

/**
 * A LIKE pattern (§3.4.3) as a matcher: `%` is any run of characters, `_` one character, `\%`
 * and `\_` the characters themselves, everything else itself (a backslash before anything else
 * is a backslash). Matching takes at worst text length × pattern length steps (no pattern
 * backtracks exponentially), and the common shapes (exact, prefix, suffix, contains) are plain
 * string tests.
 */
export function likeMatcher(pattern: string): (text: string) => boolean {
  const tokens: number[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i] as string;
    const next = chars[i + 1];
    if (c === '\\' && (next === '%' || next === '_')) {
      tokens.push(next.codePointAt(0) as number);
      i += 1;
    } else if (c === '%') {
      if (tokens[tokens.length - 1] !== ANY) tokens.push(ANY);
    } else if (c === '_') {
      tokens.push(ONE);
    } else {
      tokens.push(c.codePointAt(0) as number);
    }
  }

  const literal = (from: number, to: number) => String.fromCodePoint(...tokens.slice(from, to));
  const wildcards = tokens.map((t, i) => (t < 0 ? i : -1)).filter((i) => i >= 0);
  const hasOne = tokens.includes(ONE);
  const last = tokens.length - 1;
  if (!hasOne) {
    if (wildcards.length === 0) {
      const exact = literal(0, tokens.length);
      return (text) => text === exact;
    }
    if (wildcards.length === 1 && wildcards[0] === last) {
      const prefix = literal(0, last);
      return (text) => text.startsWith(prefix);
    }
    if (wildcards.length === 1 && wildcards[0] === 0) {
      const suffix = literal(1, tokens.length);
      return (text) => text.endsWith(suffix);
    }
    if (wildcards.length === 2 && wildcards[0] === 0 && wildcards[1] === last) {
      const middle = literal(1, last);
      return (text) => text.includes(middle);
    }
  }
  return (text) => matchTokens(tokens, text);
}

function matchTokens(pattern: number[], text: string): boolean {
  const chars = Array.from(text, (c) => c.codePointAt(0) as number);
  let t = 0;
  let p = 0;
  let star = -1;
  let resume = 0;
  while (t < chars.length) {
    if (p < pattern.length && (pattern[p] === ONE || pattern[p] === chars[t])) {
      t += 1;
      p += 1;
    } else if (p < pattern.length && pattern[p] === ANY) {
      star = p;
      p += 1;
      resume = t;
    } else if (star >= 0) {
      // the last % takes one more character and the rest of the pattern is tried again
      p = star + 1;
      resume += 1;
      t = resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === ANY) p += 1;
  return p === pattern.length;
}
