/**
 * A private network of Linux network namespaces, for tests that cut links between machines.
 *
 * Layout: one "switch" namespace holding a bridge, and one namespace per host with a veth
 * (`eth0`) whose other end is a port of that bridge, an address in a private /24, and loopback
 * up. The veth pairs are created from inside the switch namespace with the host end moved
 * straight into the host namespace, so nothing is ever created in the root namespace: this
 * module never adds links, addresses or nftables rules there.
 *
 * Partitions are nftables rules in the host namespaces (table inet, chains on input and output)
 * that drop packets between chosen hosts, both ways, on both sides; optionally only TCP to or
 * from one port (e.g. the sentinel port, so sentinels lose each other and keep their servers).
 * Dropping packets also stalls connections that are already established, as a real partition
 * does; `heal()` deletes the rules and TCP retransmission resumes them.
 *
 * This process stays in the root namespace and cannot reach any of these addresses: everything
 * that talks to a server in there runs in there (`spawn`, `exec`, `placement`).
 *
 * Every name starts with a per-run tag `sts<pid base 36>_<n>` (short: interface names are
 * limited to 15 characters). Cleanup: `destroy()`; on any exit of this process (normal end,
 * process.exit, an uncaught error, and SIGINT/SIGTERM/SIGHUP through pids.ts, which exits) a
 * synchronous hook kills what runs in our namespaces and deletes them (with them go their links
 * and nft tables). Namespaces left by an earlier run that died without its hooks (SIGKILL) are
 * found by their tag and deleted when the next network is created, once their pid is gone.
 */
import { execFileSync } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { Placement } from './managed.js';
import { REDIS_CLI } from './paths.js';
import { pidAlive, spawnTracked } from './pids.js';

export interface NetHost {
  readonly name: string;
  /** The namespace's name (for `ip netns exec`). */
  readonly ns: string;
  /** Its address on the network. */
  readonly addr: string;
}

export interface CutOptions {
  /** Drop only TCP to or from this port (either end), instead of every packet. */
  port?: number;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One dropped peer in a host's rules: every packet, or only TCP on `port`. */
interface Drop {
  peer: string;
  port?: number;
}

const TAG_RE = /^sts([0-9a-z]+)_([0-9a-z]+)-/;
let nextSeq = 0;
const live = new Set<Net>();
let swept = false;

/** Runs a command to its end with a timeout (killed then), collecting its output. */
function run(cmd: string, args: string[], input?: string, timeoutMs = 10000): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawnTracked(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Like `run`, but a non-zero exit is an error naming the command and its stderr. */
async function must(cmd: string, args: string[], input?: string): Promise<string> {
  const r = await run(cmd, args, input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

function syncQuiet(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString();
  } catch {
    return '';
  }
}

/** The namespaces that exist now (`ip netns list` prints "name" or "name (id: N)"). */
function listNamespaces(): string[] {
  return syncQuiet('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.length > 0);
}

/** Kills whatever still runs in `ns`, then deletes it; synchronous, never throws. */
function deleteNamespaceSync(ns: string): void {
  for (const p of syncQuiet('ip', ['netns', 'pids', ns]).split(/\s+/)) {
    const pid = Number(p);
    if (pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  syncQuiet('ip', ['netns', 'del', ns]);
}


/**
 * Deletes namespaces of our tag pattern whose creating process is gone (a run killed with
 * SIGKILL). A live pid keeps its namespaces, even if it was reused by an unrelated process:
 * those are then left for a later sweep rather than risk deleting a running test's network.
 */
export function sweepStaleNamespaces(): string[] {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    const m = TAG_RE.exec(ns);
    if (!m) continue;
    const pid = parseInt(m[1]!, 36);
    if (pid === process.pid || pidAlive(pid)) continue;
    deleteNamespaceSync(ns);
    removed.push(ns);
  }
  return removed;
}

// After pids.ts's own exit hook (registered when it was imported above, so it runs first and has
// SIGKILLed every tracked process): delete every network still up. pids.ts turns SIGINT, SIGTERM
// and SIGHUP into process.exit, so they end here too; an uncaught error exits through here as well.
process.on('exit', () => {
  for (const net of live) net.destroySync();
});

let skipCache: string | false | undefined;

/**
 * Why the partition tests cannot run here, or false when they can: they need root, `ip`
 * (iproute2) and `nft` (nftables), and a kernel that lets us create a namespace with nftables
 * in it (checked once by creating and deleting a throwaway namespace). For
 * `test(name, { skip: skipReason() }, ...)`, which prints the reason.
 */
export function skipReason(): string | false {
  if (skipCache !== undefined) return skipCache;
  skipCache = findSkipReason();
  return skipCache;
}

function findSkipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root (it creates network namespaces and nftables rules); run it as root';
  for (const [bin, args, pkg] of [
    ['ip', ['-V'], 'iproute2'],
    ['nft', ['--version'], 'nftables'],
  ] as const) {
    try {
      execFileSync(bin, [...args], { stdio: 'ignore', timeout: 5000 });
    } catch {
      return `\`${bin}\` not found or not working: install Debian's ${pkg} (scripts/setup.sh does)`;
    }
  }
  const probe = `sts${process.pid.toString(36)}_probe-x`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
    execFileSync('ip', ['netns', 'exec', probe, 'nft', 'list', 'ruleset'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
    return false;
  } catch (e) {
    const err = (e as { stderr?: Buffer }).stderr?.toString().trim() ?? (e as Error).message;
    return `cannot create a network namespace with nftables here: ${err}`;
  } finally {
    syncQuiet('ip', ['netns', 'del', probe]);
  }
}

/** A private network of namespaces; see the top of the file. */
export class Net {
  readonly tag: string;
  /** The /24 of the hosts, e.g. "10.77.12". */
  readonly subnet: string;
  readonly switchNs: string;
  private readonly hostMap = new Map<string, NetHost>();
  /** Per host name: the peers its rules drop. */
  private readonly drops = new Map<string, Drop[]>();
  private readonly children = new Set<ChildProcess>();
  private destroyed = false;

  private constructor(hostNames: readonly string[]) {
    const seq = nextSeq++;
    this.tag = `sts${process.pid.toString(36)}_${seq.toString(36)}`;
    // Every network is closed in its own switch namespace, so two runs with the same subnet
    // would not even see each other; deriving it from the pid only makes logs easier to tell apart.
    this.subnet = `10.${100 + (process.pid % 150)}.${(Math.floor(process.pid / 150) + seq * 41) % 256}`;
    this.switchNs = `${this.tag}-sw`;
    hostNames.forEach((name, i) => {
      if (!/^[a-z0-9]{1,8}$/.test(name)) throw new Error(`host name ${JSON.stringify(name)}: use 1-8 lowercase letters or digits`);
      if (this.hostMap.has(name)) throw new Error(`host name ${name} given twice`);
      this.hostMap.set(name, { name, ns: `${this.tag}-${name}`, addr: `${this.subnet}.${i + 1}` });
    });
  }

  /**
   * Creates the switch and one namespace per host name (addresses .1, .2, ... in that order).
   * Deletes leftovers of dead earlier runs first (once per process).
   */
  static async create(hostNames: readonly string[]): Promise<Net> {
    if (hostNames.length === 0 || hostNames.length > 200) throw new Error('between 1 and 200 hosts');
    if (!swept) {
      swept = true;
      sweepStaleNamespaces();
    }
    const net = new Net(hostNames);
    live.add(net);
    try {
      await net.build();
    } catch (e) {
      await net.destroy();
      throw e;
    }
    return net;
  }

  private async build(): Promise<void> {
    const sw = this.switchNs;
    const bridge = `${this.tag}br`;
    await must('ip', ['netns', 'add', sw]);
    await must('ip', ['-n', sw, 'link', 'add', bridge, 'type', 'bridge']);
    await must('ip', ['-n', sw, 'link', 'set', bridge, 'up']);
    let i = 0;
    for (const h of this.hostMap.values()) {
      const port = `${this.tag}v${i++}`;
      await must('ip', ['netns', 'add', h.ns]);
      await must('ip', ['-n', sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns]);
      await must('ip', ['-n', sw, 'link', 'set', port, 'master', bridge]);
      await must('ip', ['-n', sw, 'link', 'set', port, 'up']);
      await must('ip', ['-n', h.ns, 'addr', 'add', `${h.addr}/24`, 'dev', 'eth0']);
      await must('ip', ['-n', h.ns, 'link', 'set', 'eth0', 'up']);
      await must('ip', ['-n', h.ns, 'link', 'set', 'lo', 'up']);
    }
  }

  hosts(): NetHost[] {
    return [...this.hostMap.values()];
  }

  host(name: string): NetHost {
    const h = this.hostMap.get(name);
    if (!h) throw new Error(`no host ${name} in network ${this.tag} (hosts: ${[...this.hostMap.keys()].join(', ')})`);
    return h;
  }

  addr(name: string): string {
    return this.host(name).addr;
  }

  /** The host name owning `addr`, if any. */
  hostOf(addr: string): string | undefined {
    for (const h of this.hostMap.values()) if (h.addr === addr) return h.name;
    return undefined;
  }

  /** The command line running `cmd args` in `host`'s namespace (`ip netns exec` execs it: same pid). */
  command(host: string, cmd: string, args: string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.host(host).ns, cmd, ...args]];
  }

  /** Starts a process in `host`'s namespace, tracked by pid (pids.ts) and killed by `destroy()`. */
  spawn(host: string, cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    if (this.destroyed) throw new Error(`network ${this.tag} is destroyed`);
    const child = spawnTracked(...this.command(host, cmd, args), opts);
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Runs a command in `host`'s namespace to its end (killed after `timeoutMs`). */
  exec(host: string, cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
    return run(...this.command(host, cmd, args), opts.input, opts.timeoutMs);
  }

  /**
   * Where servers in `host` run for the test helpers (startRedis / startSentinel `place`): bound
   * to its address, started in its namespace, PINGed by redis-cli from inside it.
   */
  placement(host: string): Placement {
    const addr = this.addr(host);
    return {
      host: addr,
      command: (cmd, args) => this.command(host, cmd, args),
      ping: async (port) => {
        const r = await this.exec(host, REDIS_CLI, ['-h', addr, '-p', String(port), 'PING'], { timeoutMs: 2000 });
        // An error reply (e.g. NOAUTH, LOADING) also proves a server is answering.
        return r.code === 0 && r.stdout.trim().length > 0 && !r.stdout.includes('Could not connect');
      },
    };
  }

  /** True when a TCP connection from `from` to `addr:port` opens within `timeoutMs`. */
  async canConnect(from: string, addr: string, port: number, timeoutMs = 1000): Promise<boolean> {
    const script = `const s=require('net').connect(${port},${JSON.stringify(addr)},()=>process.exit(0));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(2),${timeoutMs})`;
    const r = await this.exec(from, process.execPath, ['-e', script], { timeoutMs: timeoutMs + 5000 });
    return r.code === 0;
  }

  /**
   * Drops traffic between every host of `a` and every host of `b`, both ways, in the rules of
   * both sides; with `port`, only TCP to or from that port. Adds to the cuts already in place.
   */
  async cut(a: readonly string[], b: readonly string[], opts: CutOptions = {}): Promise<void> {
    await this.apply(this.addDrops([[a, b]], opts));
  }

  /** Cuts every group from every other group (hosts in no group are untouched); adds to the cuts in place. */
  async partition(groups: readonly (readonly string[])[], opts: CutOptions = {}): Promise<void> {
    const pairs: [readonly string[], readonly string[]][] = [];
    for (let i = 0; i < groups.length; i++) for (let j = i + 1; j < groups.length; j++) pairs.push([groups[i]!, groups[j]!]);
    await this.apply(this.addDrops(pairs, opts));
  }

  /** Removes every cut. */
  async heal(): Promise<void> {
    const touched = [...this.drops.keys()];
    this.drops.clear();
    await this.apply(touched);
  }

  /** The nftables ruleset of `host`'s namespace, for debugging and the self-test. */
  async rules(host: string): Promise<string> {
    return must(...this.command(host, 'nft', ['list', 'ruleset']));
  }

  /** Records the drops for each pair of sides; returns the host names whose rules changed. */
  private addDrops(pairs: [readonly string[], readonly string[]][], opts: CutOptions): string[] {
    const touched = new Set<string>();
    const add = (from: string, to: string): void => {
      if (from === to) throw new Error(`host ${from} is on both sides of a cut`);
      const list = this.drops.get(from) ?? [];
      const peer = this.addr(to);
      if (!list.some((d) => d.peer === peer && d.port === opts.port)) list.push({ peer, port: opts.port });
      this.drops.set(from, list);
      touched.add(from);
    };
    for (const [a, b] of pairs) {
      for (const x of a) {
        for (const y of b) {
          add(x, y);
          add(y, x);
        }
      }
    }
    return [...touched];
  }

  /**
   * Rewrites the table of each touched host in one nft transaction each ("create it if missing,
   * delete it, create it with the rules": atomic, idempotent), all hosts at once. Either side's
   * rules alone already stop both directions, so the cut is symmetric from the first one applied.
   */
  private async apply(hosts: string[]): Promise<void> {
    const table = `${this.tag}_cut`;
    await Promise.all(
      hosts.map((name) => {
        const drops = this.drops.get(name) ?? [];
        const lines = [`table inet ${table}`, `delete table inet ${table}`];
        if (drops.length > 0) {
          const input: string[] = [];
          const output: string[] = [];
          for (const port of new Set(drops.map((d) => d.port))) {
            const peers = `{ ${drops.filter((d) => d.port === port).map((d) => d.peer).join(', ')} }`;
            if (port === undefined) {
              input.push(`ip saddr ${peers} drop`);
              output.push(`ip daddr ${peers} drop`);
            } else {
              input.push(`ip saddr ${peers} tcp sport ${port} drop`, `ip saddr ${peers} tcp dport ${port} drop`);
              output.push(`ip daddr ${peers} tcp sport ${port} drop`, `ip daddr ${peers} tcp dport ${port} drop`);
            }
          }
          lines.push(
            `table inet ${table} {`,
            `  chain input { type filter hook input priority filter; policy accept;`,
            ...input.map((r) => `    ${r}`),
            '  }',
            `  chain output { type filter hook output priority filter; policy accept;`,
            ...output.map((r) => `    ${r}`),
            '  }',
            '}',
          );
        }
        return must(...this.command(name, 'nft', ['-f', '-']), lines.join('\n') + '\n');
      }),
    );
  }

  /** Kills every process in our namespaces and deletes them. */
  async destroy(): Promise<void> {
    // Synchronous on purpose: the exit hook needs the same steps, and they take milliseconds.
    this.destroySync();
  }

  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of this.children) {
      try {
        c.kill('SIGKILL');
      } catch {
        // gone
      }
    }
    this.children.clear();
    for (const h of this.hostMap.values()) deleteNamespaceSync(h.ns);
    deleteNamespaceSync(this.switchNs);
    live.delete(this);
  }
}
