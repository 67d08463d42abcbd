/**
 * Answers to the read-only queries clients repeat all day (SENTINEL GET-MASTER-ADDR-BY-NAME,
 * MASTERS, MASTER, REPLICAS, SENTINELS, INFO's sentinel section), kept once built and reused
 * while they cannot differ: until anything changes the sentinel's state (an input of the core,
 * any other SENTINEL subcommand) and within the same millisecond of the clock, since the
 * answers show times in ms ("last-ok-ping-reply" is now minus a timestamp). A reconnect storm
 * asking the same question thousands of times a second then builds and encodes it once per ms.
 */
export class QueryCache<V> {
  private readonly entries = new Map<string, V>();
  private ms = -1;
  private stale = true;

  /** Something the answers show may have changed: build them again. */
  invalidate(): void {
    this.stale = true;
  }

  /** The answer for `key` at time `now` (ms), built with `build` unless still valid. */
  get(key: string, now: number, build: () => V): V {
    const ms = Math.floor(now);
    if (this.stale || ms !== this.ms) {
      this.entries.clear();
      this.ms = ms;
      this.stale = false;
    }
    let v = this.entries.get(key);
    if (v === undefined) {
      v = build();
      this.entries.set(key, v);
    }
    return v;
  }
}
