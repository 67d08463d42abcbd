/**
 * The reply model: what command handlers return and what the encoder turns into bytes.
 * A reply is protocol-neutral; `encodeReply(reply, proto)` chooses the RESP2 or RESP3 form
 * (a map becomes a flat array in RESP2, a null becomes `$-1`/`*-1` or `_`, a push becomes `*`).
 */
export type Reply =
  | { readonly t: 'simple'; readonly v: string }
  | { readonly t: 'error'; readonly v: string } // full text without the leading '-', e.g. "ERR unknown command"
  | { readonly t: 'int'; readonly v: number | bigint }
  | { readonly t: 'bulk'; readonly v: string | Buffer }
  | { readonly t: 'nullbulk' } // RESP2 `$-1`, RESP3 `_`
  | { readonly t: 'nullarray' } // RESP2 `*-1`, RESP3 `_`
  | { readonly t: 'array'; readonly v: readonly Reply[] }
  | { readonly t: 'map'; readonly v: readonly (readonly [Reply, Reply])[] } // RESP2: flat array of 2n
  // A map of bulk strings kept as the strings themselves: SENTINEL MASTERS at 5,000 masters is
  // 200,000 pairs, which as Reply objects cost more to build than to encode.
  | { readonly t: 'strmap'; readonly v: readonly (readonly [string, string])[] }
  | { readonly t: 'push'; readonly v: readonly Reply[] } // RESP3 `>`; RESP2 `*`
  | { readonly t: 'raw'; readonly v: Buffer }; // pre-encoded bytes (identical in both protocols)

export const OK: Reply = { t: 'simple', v: 'OK' };
export const simple = (v: string): Reply => ({ t: 'simple', v });
export const error = (v: string): Reply => ({ t: 'error', v });
export const int = (v: number | bigint): Reply => ({ t: 'int', v });
export const bulk = (v: string | Buffer): Reply => ({ t: 'bulk', v });
export const nullBulk: Reply = { t: 'nullbulk' };
export const nullArray: Reply = { t: 'nullarray' };
export const array = (v: readonly Reply[]): Reply => ({ t: 'array', v });
export const push = (v: readonly Reply[]): Reply => ({ t: 'push', v });
/** A map whose keys and values are all bulk strings: the shape of every SENTINEL field map. */
export const bulkMap = (pairs: readonly (readonly [string, string])[]): Reply => ({ t: 'strmap', v: pairs });
export const map = (pairs: readonly (readonly [Reply, Reply])[]): Reply => ({ t: 'map', v: pairs });

export type Proto = 2 | 3;
