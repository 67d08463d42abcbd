/**
 * The test side of the two scripts a partition scenario runs inside namespaces: the per-host
 * agent (agent.ts: commands, sentinel events, role/writability samples of its own servers) and
 * the writer (writer.ts). Both are started through Net.spawn, so they are tracked and killed on
 * every way out, and both end by themselves when their stdin closes.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Net } from '../helpers/netns.js';
import { terminate } from '../helpers/managed.js';
import { waitFor } from '../helpers/wait.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const AGENT = path.join(here, 'agent.js');
const WRITER = path.join(here, 'writer.js');

/** A pub/sub event of a sentinel, as the agent of its host saw it. */
export interface SentinelEvent {
  t: number;
  host: string;
  channel: string;
  message: string;
}

/** One observation of a redis-server by the agent of its host. */
export interface RoleSample {
  t: number;
  host: string;
  role: string;
  /** Only probed on a master: did a SET succeed within the probe timeout. */
  writable: boolean | null;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/** The agent running in one host's namespace, bound to that host's address. */
export class HostAgent {
  readonly events: SentinelEvent[] = [];
  readonly samples: RoleSample[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = '';

  private constructor(
    readonly host: string,
    private readonly child: ChildProcess,
  ) {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.on('exit', () => {
      for (const p of this.pending.values()) p.reject(new Error(`agent of ${host} exited: ${this.stderr.trim()}`));
      this.pending.clear();
    });
  }

  static start(net: Net, host: string): HostAgent {
    const child = net.spawn(host, process.execPath, [AGENT, net.addr(host)], { stdio: ['pipe', 'pipe', 'pipe'] });
    return new HostAgent(host, child);
  }

  private onLine(line: string): void {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof m['id'] === 'number') {
      const p = this.pending.get(m['id']);
      this.pending.delete(m['id']);
      if (m['ok']) p?.resolve(m['value']);
      else p?.reject(new Error(`${this.host}: ${String(m['error'])}`));
    } else if (typeof m['ev'] === 'string') {
      this.events.push({ t: Number(m['t']), host: this.host, channel: m['ev'], message: String(m['msg']) });
    } else if (m['sample'] !== undefined) {
      this.samples.push({ t: Number(m['t']), host: this.host, role: String(m['role']), writable: m['writable'] as boolean | null });
    }
  }

  /** Sends a request; the agent applies its own timeouts, `timeoutMs` here only guards against a stuck agent. */
  private request(req: Record<string, unknown>, timeoutMs = 10000): Promise<unknown> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.reject(new Error(`agent of ${this.host} is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`agent of ${this.host} did not answer ${JSON.stringify(req)} within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = <T>(f: (v: T) => void) => (v: T): void => {
        clearTimeout(timer);
        f(v);
      };
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      this.child.stdin!.write(JSON.stringify({ ...req, id }) + '\n');
    });
  }

  /** A command to the server on `port` of this host; rejects on an error reply or after `timeoutMs`. */
  call(port: number, args: string[], timeoutMs = 2000): Promise<unknown> {
    return this.request({ op: 'call', port, args, timeoutMs }, timeoutMs + 5000);
  }

  /** Records every event the sentinel on `port` publishes (psubscribe *), into `events`. */
  async subscribe(port: number): Promise<void> {
    await this.request({ op: 'subscribe', port });
  }

  /** Samples the role (and writability of a master) of the server on `port` into `samples`. */
  async watch(port: number, opts: { intervalMs: number; probeTimeoutMs: number; probeKey: string }): Promise<void> {
    await this.request({ op: 'watch', port, ...opts });
  }

  /** Ends the agent (stdin closes; SIGKILL if it lingers). */
  async close(): Promise<void> {
    this.child.stdin!.end();
    await terminate(this.child, 'SIGCONT', 2000);
  }
}

/** One write of the writer and its outcome. */
export interface WriteRecord {
  id: number;
  sent: number;
  done: number;
  ok: boolean;
  error?: string;
}

export interface WriterOptions {
  /** Sentinel addresses (ip, port) the client is given. */
  sentinels: { host: string; port: number }[];
  name: string;
  key: string;
  /** Default 10: one write every 10 ms at most (100/s). */
  intervalMs?: number;
  /** Default 1000. */
  commandTimeoutMs?: number;
}

/** The writer running in a client host's namespace. */
export class WriterProcess {
  readonly writes: WriteRecord[] = [];
  /** Each (re)connection: when, and to which server. */
  readonly connections: { t: number; addr: string }[] = [];
  readyAt = 0;
  attempted = 0;
  /** How many times the client gave up for good and was replaced (writer.ts explains). */
  clientRestarts = 0;
  private stderr = '';
  private finished = false;

  private constructor(private readonly child: ChildProcess) {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  /** Starts the writer and waits until it is connected and writing. */
  static async start(net: Net, host: string, opts: WriterOptions): Promise<WriterProcess> {
    const json = JSON.stringify({ intervalMs: 10, commandTimeoutMs: 1000, ...opts });
    const child = net.spawn(host, process.execPath, [WRITER, json], { stdio: ['pipe', 'pipe', 'pipe'] });
    const w = new WriterProcess(child);
    try {
      await waitFor(() => {
        if (child.exitCode !== null) throw new Error(`writer exited: ${w.stderr}`);
        return w.readyAt > 0 && w.writes.some((x) => x.ok);
      }, 20000, 'the writer to connect and get a first acknowledgement');
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
    return w;
  }

  private onLine(line: string): void {
    const [kind, a, b, c, ...rest] = line.split(' ');
    if (kind === 'ack' || kind === 'err') {
      this.writes.push({ id: Number(a), sent: Number(b), done: Number(c), ok: kind === 'ack', ...(kind === 'err' ? { error: rest.join(' ') } : {}) });
    } else if (kind === 'conn') {
      this.connections.push({ t: Number(a), addr: String(b) });
    } else if (kind === 'end') {
      this.clientRestarts++;
    } else if (kind === 'ready') {
      this.readyAt = Number(a);
    } else if (kind === 'done') {
      this.attempted = Number(a);
      this.finished = true;
    }
  }

  acks(): WriteRecord[] {
    return this.writes.filter((w) => w.ok);
  }

  /** Time of the last acknowledgement (0 before the first). */
  lastAckAt(): number {
    for (let i = this.writes.length - 1; i >= 0; i--) if (this.writes[i]!.ok) return this.writes[i]!.done;
    return 0;
  }

  /** Stops writing (the write in flight settles first) and waits for the process to end. */
  async stop(): Promise<void> {
    this.child.stdin!.end();
    try {
      await waitFor(() => this.finished || this.child.exitCode !== null, 5000, 'the writer to finish');
    } finally {
      await terminate(this.child, 'SIGCONT', 2000);
      if (!this.finished) this.attempted = this.writes.length;
    }
  }
}
