/**
 * Splits a line into arguments the way redis does for config lines and inline commands
 * (sdssplitargs): blanks separate arguments; "double quotes" allow \n \r \t \b \a \\ \" and
 * \xHH escapes; 'single quotes' allow only \'. A closing quote must be followed by a blank or
 * the end. Returns null for unbalanced quotes (or a closing quote followed by a non-blank).
 *
 * As in redis, the blanks skipped between arguments and checked after a closing quote are
 * isspace() (space, \t, \n, \v, \f, \r), but a bare argument ends only at space, \t, \n or \r
 * (so "a\vb" is one argument), and a NUL byte ends the line (redis works on C strings).
 */
export function splitArgs(input: string): string[] | null {
  const nul = input.indexOf('\0');
  const line = nul >= 0 ? input.slice(0, nul) : input;
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  const isBlank = (c: string | undefined): boolean =>
    c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
  const endsBare = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t' || c === '\n' || c === '\r';
  for (;;) {
    while (i < n && isBlank(line[i])) i++;
    if (i >= n) return out;
    let cur = '';
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = line[i];
      if (inDouble) {
        if (c === undefined) return null;
        if (c === '\\' && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !isBlank(line[i + 1])) return null;
          done = true;
        } else {
          cur += c;
        }
      } else if (inSingle) {
        if (c === undefined) return null;
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isBlank(line[i + 1])) return null;
          done = true;
        } else {
          cur += c;
        }
      } else if (endsBare(c)) {
        done = true;
      } else if (c === '"') {
        inDouble = true;
      } else if (c === "'") {
        inSingle = true;
      } else {
        cur += c;
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/**
 * Always double-quotes, escaping like redis's sdscatrepr: \\ \" \n \r \t \a \b, and \xHH for
 * other control characters. (Non-ASCII text is kept as UTF-8; redis would escape its bytes.)
 */
export function reprArg(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** Quotes a value for a config line only when it needs it (reprArg otherwise). */
export function quoteArg(s: string): string {
  if (s.length > 0 && !/[\s"'\\\x00-\x1f\x7f]/.test(s)) return s;
  return reprArg(s);
}
