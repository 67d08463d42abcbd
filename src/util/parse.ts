/**
 * Reading numbers and flags from text the way redis does, in one place. redis uses several C
 * conventions side by side (string2ll for arguments and request headers, strtol/atoi for config
 * values and hello fields, strtoull for epochs, yes/no for flags); each is written once here.
 */

export const LLONG_MAX = 9223372036854775807n;
export const LLONG_MIN = -9223372036854775808n;
export const ULLONG_MAX = 18446744073709551615n;

const STRING2LL = /^(0|-?[1-9][0-9]*)$/;

/**
 * redis's string2ll, exact: an optional '-', then digits without leading zeros ("0" alone is
 * fine), within the signed 64-bit range. "+1", "01", "-0", "" and " 1" are all rejected.
 */
export function string2llBig(s: string): bigint | null {
  if (s.length > 20 || !STRING2LL.test(s)) return null;
  const v = BigInt(s);
  return v < LLONG_MIN || v > LLONG_MAX ? null : v;
}

/**
 * string2ll's acceptance with the value as a Number: exact up to 2^53, which covers every value
 * a caller uses as a count, a port, a time or an epoch (callers that need more use string2llBig).
 */
export function string2ll(s: string): number | null {
  if (s.length > 20 || !STRING2LL.test(s)) return null;
  if (s.length >= 19) {
    const b = BigInt(s);
    if (b > LLONG_MAX || b < LLONG_MIN) return null;
  }
  return Number(s);
}

/** string2ll limited to the integers a Number holds exactly (command arguments). */
export function parseInteger(s: string): number | null {
  const n = string2ll(s);
  return n !== null && Number.isSafeInteger(n) ? n : null;
}

/** strtol/strtoll: C blanks, an optional sign, digits. */
const LEADING_INT = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)/;

/** Whether the whole string is what strtol reads (blanks, a sign, digits, nothing after). */
export const WHOLE_INT = /^[ \t\n\v\f\r]*[+-]?[0-9]+$/;

/** strtol's value clamped to 64 bits (the value of the leading integer; 0 when there is none). */
export function strtol(s: string): bigint {
  const m = LEADING_INT.exec(s);
  if (!m) return 0n;
  let v = BigInt(m[2]!);
  if (m[1] === '-') v = -v;
  return v < LLONG_MIN ? LLONG_MIN : v > LLONG_MAX ? LLONG_MAX : v;
}

/** atoi as glibc implements it: (int) strtol, so a huge value wraps at 32 bits. */
export function atoi(s: string): number {
  return Number(BigInt.asIntN(32, strtol(s)));
}

/**
 * strtoull, as redis reads epochs: a negative number wraps around 2^64. (Values past 2^53 lose
 * precision as JavaScript numbers; no real epoch gets near that.)
 */
export function strtoull(s: string): number {
  const m = LEADING_INT.exec(s);
  if (!m) return 0;
  let v = BigInt(m[2]!);
  if (v > ULLONG_MAX) return Number(ULLONG_MAX);
  if (m[1] === '-') v = BigInt.asUintN(64, -v);
  return Number(v);
}

/** redis's yesnotoi: `yes` or `no` in any case; null for anything else. */
export function yesNo(s: string): boolean | null {
  const l = s.toLowerCase();
  return l === 'yes' ? true : l === 'no' ? false : null;
}
