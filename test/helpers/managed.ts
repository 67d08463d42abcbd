/**
 * The life of a server process a test started (redis-server or a sentinel): the Managed handle
 * the tests hold, stopping and killing, waiting until it answers PING, and its output for errors.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { sleep } from './wait.js';
import { pingOk } from './wire.js';

export interface Managed {
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  /** True once the current process has exited. */
  readonly exited: boolean;
  readonly exitCode: number | null;
  /**
   * Sends `signal` (SIGTERM by default, followed by SIGCONT so a stopped process can act on it),
   * then SIGKILL after `graceMs` (5000 by default); resolves once the process is gone.
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  /** SIGKILL; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** Sends a signal and returns. */
  signal(sig: NodeJS.Signals): void;
  /** Freezes the process (SIGSTOP): it keeps its sockets but answers nothing. */
  sigstop(): void;
  /** Thaws a process frozen by `sigstop()` (SIGCONT). */
  sigcont(): void;
  /** Stops the process (SIGTERM) and starts it again with the same arguments, port and files. */
  restart(): Promise<void>;
  /** The server's log so far ('' when it has none yet). */
  log(): string;
}

export const isGone = (c: ChildProcess): boolean => c.exitCode !== null || c.signalCode !== null;

/**
 * Where a server process runs and is reached. Tests run them here, bound to 127.0.0.1
 * (`LOCAL`); the partition tests run them inside network namespaces (test/helpers/netns.ts),
 * where this process cannot connect to them and has to ask a process in there.
 */
export interface Placement {
  /** The address the server binds, and the one clients use. */
  readonly host: string;
  /** The command line that runs `cmd args` there. */
  command(cmd: string, args: string[]): [string, string[]];
  /** True once a server there answers PING on `port`. */
  ping(port: number): Promise<boolean>;
}

export const LOCAL: Placement = { host: '127.0.0.1', command: (cmd, args) => [cmd, args], ping: pingOk };

/**
 * The Managed handle of a process that `launch` (re)starts and `current` returns: the same
 * controls for redis-server and sentinels. Callers add their own fields to it.
 */
export function managedHandle(port: number, dir: string, logFile: string, current: () => ChildProcess, launch: () => Promise<void>): Managed {
  return {
    port,
    dir,
    get pid() {
      return current().pid ?? 0;
    },
    get exited() {
      return isGone(current());
    },
    get exitCode() {
      return current().exitCode;
    },
    stop: (sig = 'SIGTERM', graceMs = 5000) => terminate(current(), sig, graceMs),
    kill9: () => terminate(current(), 'SIGKILL', 0),
    signal: (sig) => void current().kill(sig),
    sigstop: () => void current().kill('SIGSTOP'),
    sigcont: () => void current().kill('SIGCONT'),
    restart: async () => {
      await terminate(current(), 'SIGTERM', 5000);
      await launch();
    },
    log: () => readIfExists(logFile),
  };
}

export async function terminate(child: ChildProcess, sig: NodeJS.Signals, graceMs: number): Promise<void> {
  if (isGone(child) || !child.pid) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    child.kill(sig);
    if (sig !== 'SIGKILL' && sig !== 'SIGCONT') child.kill('SIGCONT');
  } catch {
    // raced with its exit
  }
  const t = setTimeout(() => {
    try {
      child.kill('SIGKILL');
    } catch {
      // gone
    }
  }, graceMs);
  await gone;
  clearTimeout(t);
}

export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Waits until the server on `port` answers PING (asked with `ping`: on 127.0.0.1 by default).
 * Fails at once, with its output, if the process exits first; otherwise after `timeoutMs`.
 */
export async function awaitReady(child: ChildProcess, port: number, timeoutMs: number, describe: () => string, ping: (port: number) => Promise<boolean> = pingOk): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (isGone(child) || child.pid === undefined) {
      throw new Error(`${describe()} exited before answering PING on ${port} (exit code ${child.exitCode}, signal ${child.signalCode})`);
    }
    if (await ping(port)) return;
    if (Date.now() - started >= timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe()} to answer PING on ${port}`);
    await sleep(25);
  }
}
