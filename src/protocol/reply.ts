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
  // An array of such maps written by the encoder straight from their source (SENTINEL MASTERS,
  // REPLICAS, SENTINELS): no pair, string or array is kept per field. The source reads live
  // state, so a reply of this kind must be encoded before anything else runs (the server
  // encodes it as it queues it).
  | { readonly t: 'fieldmaps'; readonly v: FieldMapList }
  | { readonly t: 'push'; readonly v: readonly Reply[] } // RESP3 `>`; RESP2 `*`
  | { readonly t: 'raw'; readonly v: Buffer }; // pre-encoded bytes (identical in both protocols)

/** Takes a field map's pairs in reply order; a number is written as its decimal digits. */
export interface FieldSink {
  field(name: string, value: string | number): void;
}

/** `length` field maps, the i-th written pair by pair into a sink on demand. */
export interface FieldMapList {
  readonly length: number;
  write(i: number, into: FieldSink): void;
}

/** A list's maps as [name, value] pairs, numbers spelled as String() does (the HTTP API, metrics, tests). */
export function fieldMapPairs(list: FieldMapList): [string, string][][] {
  const out: [string, string][][] = [];
  for (let i = 0; i < list.length; i++) {
    const pairs: [string, string][] = [];
    list.write(i, { field: (name, value) => pairs.push([name, typeof value === 'number' ? String(value) : value]) });
    out.push(pairs);
  }
  return out;
}

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
export const fieldMaps = (v: FieldMapList): Reply => ({ t: 'fieldmaps', v });
export const map = (pairs: readonly (readonly [Reply, Reply])[]): Reply => ({ t: 'map', v: pairs });

export type Proto = 2 | 3;
