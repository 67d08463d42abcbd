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
  /** Whether the answers show times, and so hold only within one millisecond. */
  private readonly timed: boolean;
  private ms = -1;
  private stale = true;
  private generation = 0;

  constructor(timed: boolean) {
    this.timed = timed;
  }

  /** Something the answers show may have changed: build them again. */
  invalidate(): void {
    this.stale = true;
  }

  /**
   * Changes whenever the kept answers are dropped (made stale, or a new millisecond): an
   * answer built under one version is the one `get` would give while the version holds.
   */
  version(now: number): number {
    this.roll(now);
    return this.generation;
  }

  /** The answer under (k1, k2, k3) at time `now` (ms), built with `build` unless still valid. */
  get(k1: number, k2: string, k3: string, now: number, build: () => V): V {
    this.roll(now);
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

  private roll(now: number): void {
    const ms = this.timed ? Math.floor(now) : -1;
    if (this.stale || ms !== this.ms) {
      this.entries.clear();
      this.ms = ms;
      this.stale = false;
      this.generation++;
    }
  }
}
