/**
 * Glob matching with redis's rules: `*`, `?`, `[abc]`, `[^abc]`, `[a-z]`, and `\` escapes.
 * Used by PSUBSCRIBE, SENTINEL RESET and SENTINEL CONFIG GET.
 */
export function globMatch(pattern: string, text: string, nocase = false): boolean {
  const p = nocase ? pattern.toLowerCase() : pattern;
  const s = nocase ? text.toLowerCase() : text;
  return matchFrom(p, 0, s, 0);
}

function matchFrom(p: string, pi: number, s: string, si: number): boolean {
  while (pi < p.length) {
    const c = p[pi]!;
    if (c === '*') {
      while (p[pi + 1] === '*') pi++;
      if (pi + 1 === p.length) return true;
      for (let k = si; k <= s.length; k++) if (matchFrom(p, pi + 1, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === '?') {
      pi++;
      si++;
      continue;
    }
    if (c === '[') {
      let j = pi + 1;
      const negate = p[j] === '^';
      if (negate) j++;
      let matched = false;
      const ch = s[si]!;
      for (;;) {
        if (j >= p.length) {
          j--; // unterminated class: redis treats the end as closing it
          break;
        }
        if (p[j] === '\\' && j + 1 < p.length) {
          if (p[j + 1] === ch) matched = true;
          j += 2;
        } else if (p[j] === ']') {
          break;
        } else if (p[j + 2] !== undefined && p[j + 1] === '-' && p[j + 2] !== ']') {
          let lo = p[j]!;
          let hi = p[j + 2]!;
          if (lo > hi) [lo, hi] = [hi, lo];
          if (ch >= lo && ch <= hi) matched = true;
          j += 3;
        } else {
          if (p[j] === ch) matched = true;
          j++;
        }
      }
      if (negate) matched = !matched;
      if (!matched) return false;
      pi = j + 1;
      si++;
      continue;
    }
    if (c === '\\' && pi + 1 < p.length) {
      if (p[pi + 1] !== s[si]) return false;
      pi += 2;
      si++;
      continue;
    }
    if (c !== s[si]) return false;
    pi++;
    si++;
  }
  return si === s.length;
}
