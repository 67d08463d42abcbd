/**
 * What the HTTP side remembers of the sentinel's events: a bounded history with increasing ids
 * (GET /v1/events?since=, and the replay of the event stream after Last-Event-ID), and the
 * failovers this sentinel saw, led or observed (GET /v1/failovers), built from the same events.
 * Memory is bounded: the oldest entries go first.
 */

export interface SentinelEvent {
  /** 1, 2, 3, ... since the sentinel started. */
  id: number;
  /** Wall-clock time, ms since the epoch. */
  time: number;
  /** The event name, as published: +sdown, +switch-master, ... */
  event: string;
  message: string;
  master: string | null;
}

export class EventLog {
  private readonly entries: SentinelEvent[] = [];
  private nextId = 1;
  private readonly listeners = new Set<(e: SentinelEvent) => void>();

  constructor(readonly capacity = 1000) {}

  add(event: string, message: string, master: string | null, time: number): SentinelEvent {
    const e: SentinelEvent = { id: this.nextId++, time, event, message, master };
    this.entries.push(e);
    if (this.entries.length > this.capacity) this.entries.shift();
    for (const l of this.listeners) l(e);
    return e;
  }

  /** Events with an id above `since`, oldest first, at most `limit`; `truncated` when some were already dropped. */
  since(since: number, limit = this.capacity): { events: SentinelEvent[]; truncated: boolean } {
    const first = this.entries[0];
    const truncated = first !== undefined && since < first.id - 1;
    return { events: this.entries.filter((e) => e.id > since).slice(0, limit), truncated };
  }

  get lastId(): number {
    return this.nextId - 1;
  }

  subscribe(listener: (e: SentinelEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface FailoverRecord {
  master: string;
  /** automatic, manual, coordinated when we led it; observed when another sentinel did. */
  trigger: 'automatic' | 'manual' | 'coordinated' | 'observed';
  /** Our id when we led it; null when observed. */
  leader: string | null;
  epoch: number | null;
  oldMaster: string | null;
  newMaster: string | null;
  startedAt: number;
  endedAt: number | null;
  /** running, success, aborted (with the abort event), or switched (observed). */
  result: 'running' | 'success' | 'aborted' | 'switched';
  abort: string | null;
  /** Each failover state we went through (+failover-state-*) and when, ms since the start. */
  phases: { phase: string; atMs: number }[];
}

/**
 * Failovers, from the events: +try-failover starts one we lead (its trigger told by the master's
 * flags then), +failover-state-* are its phases, +switch-master names the new master, and
 * +failover-end / -failover-abort-* end it. A +switch-master without a failover of ours is one
 * another sentinel led, that we observed.
 */
export class FailoverLog {
  private readonly records: FailoverRecord[] = [];
  private readonly running = new Map<string, FailoverRecord>();

  constructor(
    private readonly myid: () => string,
    readonly capacity = 100,
  ) {}

  onEvent(e: SentinelEvent, trigger: () => FailoverRecord['trigger']): void {
    const m = e.master;
    if (m === null) return;
    const cur = this.running.get(m);
    if (e.event === '+try-failover') {
      const parts = e.message.split(' ');
      this.push({ master: m, trigger: trigger(), leader: this.myid(), epoch: null, oldMaster: `${parts[2]}:${parts[3]}`, newMaster: null, startedAt: e.time, endedAt: null, result: 'running', abort: null, phases: [] }, true);
      return;
    }
    if (e.event === '+new-epoch' && cur && cur.epoch === null) cur.epoch = Number(e.message);
    if (e.event.startsWith('+failover-state-') && cur) cur.phases.push({ phase: e.event.slice('+failover-state-'.length), atMs: e.time - cur.startedAt });
    if (e.event === '+switch-master') {
      // "<name> <old ip> <old port> <new ip> <new port>"
      const [, oip, oport, nip, nport] = e.message.split(' ');
      if (cur) {
        // Ours: it follows +failover-end (the switch ends the run).
        cur.newMaster = `${nip}:${nport}`;
        this.running.delete(m);
        return;
      }
      this.push({ master: m, trigger: 'observed', leader: null, epoch: null, oldMaster: `${oip}:${oport}`, newMaster: `${nip}:${nport}`, startedAt: e.time, endedAt: e.time, result: 'switched', abort: null, phases: [] }, false);
      return;
    }
    if (!cur) return;
    if (e.event === '+failover-end') {
      // Kept until the +switch-master that follows names the new master.
      cur.result = 'success';
      cur.endedAt = e.time;
    } else if (e.event.startsWith('-failover-abort')) {
      cur.result = 'aborted';
      cur.abort = e.event;
      cur.endedAt = e.time;
      this.running.delete(m);
    }
  }

  private push(r: FailoverRecord, running: boolean): void {
    this.records.push(r);
    if (this.records.length > this.capacity) this.records.shift();
    if (running) this.running.set(r.master, r);
  }

  /** Newest first. */
  list(): FailoverRecord[] {
    return [...this.records].reverse();
  }
}
