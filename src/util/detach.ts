/**
 * A copy of `s` that does not keep the string it was cut from alive. V8 represents a substring
 * of 13 characters or more as a view into its parent, so a run id sliced from an INFO reply
 * kept that whole reply in memory for as long as the run id stayed the same: one stale INFO
 * text (4-5 KB from a real redis-server) per monitored server. Short strings are copies already.
 */
export function detached(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}
