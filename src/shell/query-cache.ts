/**
 * Answers to the read-only queries clients repeat all day (SENTINEL GET-MASTER-ADDR-BY-NAME,
 * MASTERS, MASTER, REPLICAS, SENTINELS, INFO's sentinel section), kept once built and reused
 * while they cannot differ: until anything changes the sentinel's state (an input of the core,
 * any other SENTINEL subcommand) and within the same millisecond of the clock, since the
 * answers show times in ms ("last-ok-ping-reply" is now minus a timestamp). A reconnect storm
 * asking the same question thousands of times a second then builds and encodes it once per ms.
 */
export class QueryCache<V> {
  /**
   * Keyed in three parts (for SENTINEL queries: protocol, subcommand, master name) in nested
   * maps, so no key string is built per request.
   */
  private readonly entries = new Map<number, Map<string, Map<string, V>>>();
  private ms = -1;
  private stale = true;

  /** Something the answers show may have changed: build them again. */
  invalidate(): void {
    this.stale = true;
  }

  /** The answer under (k1, k2, k3) at time `now` (ms), built with `build` unless still valid. */
  get(k1: number, k2: string, k3: string, now: number, build: () => V): V {
    const ms = Math.floor(now);
    if (this.stale || ms !== this.ms) {
      this.entries.clear();
      this.ms = ms;
      this.stale = false;
    }
    let level2 = this.entries.get(k1);
    if (!level2) this.entries.set(k1, (level2 = new Map()));
    let level3 = level2.get(k2);
    if (!level3) level2.set(k2, (level3 = new Map()));
    let v = level3.get(k3);
    if (v === undefined) {
      v = build();
      level3.set(k3, v);
    }
    return v;
  }
}
