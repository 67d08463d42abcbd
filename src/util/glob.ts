/**
 * Glob matching with redis's rules (stringmatchlen): `*`, `?`, `[abc]`, `[^abc]`, `[a-z]`, and
 * `\` escapes. Used by PSUBSCRIBE, SENTINEL RESET, SENTINEL CONFIG GET and COMMAND LIST.
 *
 * Matching works on the UTF-8 bytes, as redis does, and reproduces its corner cases:
 * - an empty string matches nothing, not even `*`;
 * - inside a class, `x-]` is a range that ends at `]` (so the class goes on after it);
 * - an unterminated class ends at the end of the pattern;
 * - with `nocase`, only ASCII letters fold, and a range's bounds are ordered before folding;
 * - once the rest of a pattern after a `*` has failed at every position of the string, no
 *   earlier `*` is retried (the "skip longer matches" cut that keeps abusive patterns such as
 *   `*a*a*a*a*b` linear instead of exponential);
 * - more than MAX_NESTING nested `*` never match (redis 7.4's guard): without it a client's
 *   PSUBSCRIBE pattern of thousands of `*x` would overflow the stack when an event is published.
 */
export function globMatch(pattern: string, text: string, nocase = false): boolean {
  const p = Buffer.from(pattern, 'utf8');
  const s = Buffer.from(text, 'utf8');
  return new Matcher(p, s, nocase).match(0, p.length, 0, s.length, 0);
}

/** Deepest `*` recursion tried before giving up on a match (as redis 7.4). */
const MAX_NESTING = 1000;

/** C `char` is signed on the platforms redis runs on: range tests compare signed bytes. */
function signed(b: number): number {
  return b >= 0x80 ? b - 0x100 : b;
}

/** tolower() in the C locale: only A-Z fold. */
function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

class Matcher {
  private skipLonger = false;

  constructor(
    private readonly p: Buffer,
    private readonly s: Buffer,
    private readonly nocase: boolean,
  ) {}

  /** Byte at i, or 0 past the end (the C string terminator). */
  private pat(i: number): number {
    return i < this.p.length ? this.p[i]! : 0;
  }

  private eq(a: number, b: number): boolean {
    return this.nocase ? lower(a) === lower(b) : a === b;
  }

  /** Does p[pi, pi+plen) match s[si, si+slen)? */
  match(pi: number, plen: number, si: number, slen: number, nesting: number): boolean {
    if (nesting > MAX_NESTING) return false;
    const s = this.s;
    while (plen > 0 && slen > 0) {
      const c = this.pat(pi);
      if (c === 0x2a /* * */) {
        while (plen > 0 && this.pat(pi + 1) === 0x2a) {
          pi++;
          plen--;
        }
        if (plen === 1) return true;
        while (slen > 0) {
          if (this.match(pi + 1, plen - 1, si, slen, nesting + 1)) return true;
          if (this.skipLonger) return false;
          si++;
          slen--;
        }
        this.skipLonger = true;
        return false;
      } else if (c === 0x3f /* ? */) {
        si++;
        slen--;
      } else if (c === 0x5b /* [ */) {
        pi++;
        plen--;
        const not = this.pat(pi) === 0x5e; /* ^ */
        if (not) {
          pi++;
          plen--;
        }
        let matched = false;
        const ch = s[si]!;
        for (;;) {
          const pc = this.pat(pi);
          if (pc === 0x5c /* \ */ && plen >= 2) {
            pi++;
            plen--;
            if (this.pat(pi) === ch) matched = true;
          } else if (pc === 0x5d /* ] */) {
            break;
          } else if (plen === 0) {
            pi--;
            plen++;
            break;
          } else if (plen >= 3 && this.pat(pi + 1) === 0x2d /* - */) {
            let start = signed(pc);
            let end = signed(this.pat(pi + 2));
            let x = signed(ch);
            if (start > end) [start, end] = [end, start];
            if (this.nocase) {
              start = lower(start);
              end = lower(end);
              x = lower(x);
            }
            pi += 2;
            plen -= 2;
            if (x >= start && x <= end) matched = true;
          } else if (this.eq(pc, ch)) {
            matched = true;
          }
          pi++;
          plen--;
        }
        if (not) matched = !matched;
        if (!matched) return false;
        si++;
        slen--;
      } else {
        if (c === 0x5c /* \ */ && plen >= 2) {
          pi++;
          plen--;
        }
        if (!this.eq(this.pat(pi), s[si]!)) return false;
        si++;
        slen--;
      }
      pi++;
      plen--;
      if (slen === 0) {
        while (this.pat(pi) === 0x2a) {
          pi++;
          plen--;
        }
        break;
      }
    }
    return plen === 0 && slen === 0;
  }
}
