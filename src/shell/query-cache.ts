/**
 * Answers to the read-only queries clients repeat all day (SENTINEL GET-MASTER-ADDR-BY-NAME,
 * MASTERS, MASTER, REPLICAS, SENTINELS, INFO's sentinel section), kept once built and reused
 * while they cannot differ: until anything changes the sentinel's state (an input of the core,
 * any other SENTINEL subcommand) and within the same millisecond of the clock, since the
 * answers show times in ms ("last-ok-ping-reply" is now minus a timestamp). A reconnect storm
 * asking the same question thousands of times a second then builds and encodes it once per ms.
 */
export class QueryCache<V> {
  /** By protocol, question, argument: nested maps, so no key string is built per request. */
  private readonly entries = new Map<number, Map<string, Map<string, V>>>();
  private ms = -1;
  private stale = true;

  /** Something the answers show may have changed: build them again. */
  invalidate(): void {
    this.stale = true;
  }

  /** The answer to (proto, question, arg) at time `now` (ms), built with `build` unless still valid. */
  get(proto: number, question: string, arg: string, now: number, build: () => V): V {
    const ms = Math.floor(now);
    if (this.stale || ms !== this.ms) {
      this.entries.clear();
      this.ms = ms;
      this.stale = false;
    }
    let byQuestion = this.entries.get(proto);
    if (!byQuestion) this.entries.set(proto, (byQuestion = new Map()));
    let byArg = byQuestion.get(question);
    if (!byArg) byQuestion.set(question, (byArg = new Map()));
    let v = byArg.get(arg);
    if (v === undefined) {
      v = build();
      byArg.set(arg, v);
    }
    return v;
  }
}
