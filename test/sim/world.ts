/**
 * Virtual time and a simulated network for the deterministic simulator.
 *
 * Everything happens on one event queue ordered by (time, sequence); all randomness comes from
 * one seeded PRNG, so a run is a pure function of its seed. Connections are TCP-like: bytes on
 * one connection arrive in order (a partition holds them back; a reset closes both ends), while
 * different connections may overtake each other.
 */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

/** A binary min-heap of scheduled callbacks. */
class Queue {
  private heap: Scheduled[] = [];
  get size(): number {
    return this.heap.length;
  }
  push(x: Scheduled): void {
    const h = this.heap;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Scheduled | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
  peek(): Scheduled | undefined {
    return this.heap[0];
  }
}

function less(a: Scheduled, b: Scheduled): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class Clock {
  now = 0;
  private seq = 0;
  private readonly queue = new Queue();

  at(time: number, run: () => void): void {
    this.queue.push({ at: Math.max(time, this.now), seq: this.seq++, run });
  }

  after(delay: number, run: () => void): void {
    this.at(this.now + delay, run);
  }

  /** Runs events until `until`; returns false if the queue ran dry first. */
  runUntil(until: number, afterEach?: () => void): void {
    for (;;) {
      const next = this.queue.peek();
      if (!next || next.at > until) break;
      this.queue.pop();
      this.now = next.at;
      next.run();
      afterEach?.();
    }
    this.now = until;
  }
}

/** Network faults, as data. Probabilities are per message or per connection attempt. */
export interface NetFaults {
  delayMinMs: number;
  delayMaxMs: number;
  /** A message sent on a connection resets the connection instead (TCP cannot just lose it). */
  resetProbability: number;
  /** Pub/sub messages (hellos) delivered twice: duplicates as a broker or a retry would make. */
  duplicateProbability: number;
  /** Hosts that cannot reach each other: key `a>b` blocks traffic from a to b (asymmetric possible). */
  blocked: Set<string>;
}

export function defaultNetFaults(): NetFaults {
  return { delayMinMs: 0.2, delayMaxMs: 3, resetProbability: 0, duplicateProbability: 0, blocked: new Set() };
}

/** One side of a connection receives data through this. */
export interface Endpoint {
  deliver(data: unknown): void;
  closed(reason: string): void;
}

/** A simulated TCP connection between two hosts. */
export class SimConn {
  open = true;
  /** Messages sent before the connection was established, delivered once it is. */
  waiting: (() => void)[] = [];
  /** Delivery time of the last message in each direction: keeps each direction in order. */
  private lastAt = { ab: 0, ba: 0 };

  constructor(
    readonly net: Network,
    readonly a: string,
    readonly b: string,
    public aEnd: Endpoint | null,
    public bEnd: Endpoint | null,
  ) {}

  /** Sends from host `from` to the other end. */
  send(from: string, data: unknown): void {
    if (!this.open) return;
    const forward = from === this.a;
    const to = forward ? this.b : this.a;
    if (this.net.rng() < this.net.faults.resetProbability) {
      this.net.faultCount++;
      this.reset('connection reset by simulated fault');
      return;
    }
    const key = forward ? 'ab' : 'ba';
    const at = Math.max(this.net.clock.now + this.net.delay(), this.lastAt[key]);
    this.lastAt[key] = at;
    const attempt = (): void => {
      if (!this.open) return;
      if (this.net.faults.blocked.has(`${from}>${to}`)) {
        // Held back by a partition until it heals (or the connection is closed).
        this.net.park(`${from}>${to}`, attempt);
        return;
      }
      const end = forward ? this.bEnd : this.aEnd;
      if (!end) {
        // Sent before the connection is established: TCP keeps it until then.
        this.waiting.push(attempt);
        return;
      }
      end.deliver(data);
    };
    this.net.clock.at(at, attempt);
  }

  /** Closes both ends (each is told after a network delay). */
  reset(reason: string): void {
    if (!this.open) return;
    this.open = false;
    const a = this.aEnd;
    const b = this.bEnd;
    this.net.clock.after(this.net.delay(), () => a?.closed(reason));
    this.net.clock.after(this.net.delay(), () => b?.closed(reason));
  }

  /** One side closes: only the other side is told. */
  closeFrom(host: string): void {
    if (!this.open) return;
    this.open = false;
    const other = host === this.a ? this.bEnd : this.aEnd;
    this.net.clock.after(this.net.delay(), () => other?.closed('closed by peer'));
  }
}

export interface Listener {
  /** A connection from `from` arrived; returns the server-side endpoint, or null to refuse. */
  accept(conn: SimConn, from: string): Endpoint | null;
}

export class Network {
  readonly listeners = new Map<string, Listener>();
  readonly faults: NetFaults = defaultNetFaults();
  faultCount = 0;
  messages = 0;
  /** Deliveries held back by a partition, per blocked direction, in the order they were due. */
  private parked = new Map<string, (() => void)[]>();

  park(direction: string, attempt: () => void): void {
    let list = this.parked.get(direction);
    if (!list) this.parked.set(direction, (list = []));
    list.push(attempt);
  }

  constructor(
    readonly clock: Clock,
    readonly rng: Rng,
  ) {}

  /** Call after the partitions change: held deliveries that may now pass are retried, in order. */
  partitionsChanged(): void {
    for (const [direction, held] of [...this.parked]) {
      if (this.faults.blocked.has(direction)) continue;
      this.parked.delete(direction);
      for (const attempt of held) attempt();
    }
  }

  delay(): number {
    const f = this.faults;
    return f.delayMinMs + this.rng() * (f.delayMaxMs - f.delayMinMs);
  }

  /** Opens a connection from host `from` to address `to` ("host:port"). */
  connect(from: string, to: string, client: Endpoint, onConnected: (c: SimConn) => void): SimConn {
    const conn = new SimConn(this, from, to, client, null);
    const tryOpen = (): void => {
      if (!conn.open) return;
      if (this.faults.blocked.has(`${from}>${to}`) || this.faults.blocked.has(`${to}>${from}`)) {
        // SYNs lost in a partition: the connect hangs until the partition heals (TCP keeps
        // retransmitting them); the sentinel's own timeouts may give up on it first.
        this.park(this.faults.blocked.has(`${from}>${to}`) ? `${from}>${to}` : `${to}>${from}`, tryOpen);
        return;
      }
      const l = this.listeners.get(to);
      const server = l?.accept(conn, from) ?? null;
      if (!server) {
        conn.open = false;
        this.clock.after(this.delay(), () => client.closed('connection refused'));
        return;
      }
      conn.bEnd = server;
      this.clock.after(this.delay(), () => {
        if (!conn.open) return;
        onConnected(conn);
        const waiting = conn.waiting;
        conn.waiting = [];
        for (const w of waiting) w();
      });
    };
    this.clock.after(this.delay(), tryOpen);
    return conn;
  }
}
