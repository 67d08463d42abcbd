/**
 * The notification and client-reconfig scripts: a bounded queue of jobs run oldest first, at
 * most 16 at once, each retried (exit 1 or a signal) up to 10 times with a doubling delay,
 * killed after the maximum run time. Driven by the sentinel timer (`tick`) like redis does,
 * with the process spawner injected so the policy can be tested without child processes.
 */
export const SCRIPT_MAX_QUEUE = 256;
export const SCRIPT_MAX_RUNNING = 16;
export const SCRIPT_MAX_RETRY = 10;

export interface ScriptProcess {
  readonly pid: number;
  kill(): void;
}

/** Starts `path` with `args`; calls `onExit(code, signal)` exactly once. Throws if it cannot start. */
export type Spawner = (path: string, args: readonly string[], onExit: (code: number | null, signal: string | null) => void) => ScriptProcess;

interface Job {
  readonly path: string;
  readonly args: readonly string[];
  /** 0 until the first start. */
  retryNum: number;
  /** When running: the start time; when scheduled: when it may start. */
  time: number;
  running: ScriptProcess | null;
}

export interface ScriptRunnerHooks {
  now(): number;
  retryDelay(): number;
  maxRuntime(): number;
  /** A warning event that concerns no instance: -script-error, -script-timeout. */
  event(channel: string, message: string): void;
  log(message: string): void;
}

export class ScriptRunner {
  private readonly queue: Job[] = [];

  constructor(
    private readonly spawner: Spawner,
    private readonly hooks: ScriptRunnerHooks,
  ) {}

  get running(): number {
    return this.queue.filter((j) => j.running).length;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Adds a job; when the queue is full the oldest job that is not running is dropped. */
  schedule(path: string, args: readonly string[]): void {
    this.queue.push({ path, args: [...args], retryNum: 0, time: 0, running: null });
    if (this.queue.length > SCRIPT_MAX_QUEUE) {
      const idx = this.queue.findIndex((j) => !j.running);
      if (idx >= 0) {
        this.queue.splice(idx, 1);
        this.hooks.log('Script queue full: dropped the oldest scheduled script');
      }
    }
  }

  /** Starts what may start and kills what ran too long. */
  tick(): void {
    const now = this.hooks.now();
    let running = this.running;
    for (const job of this.queue) {
      if (running >= SCRIPT_MAX_RUNNING) break;
      if (job.running || job.time > now) continue;
      job.retryNum++;
      job.time = now;
      try {
        job.running = this.spawner(job.path, job.args, (code, signal) => this.finished(job, code, signal));
        running++;
      } catch {
        this.hooks.event('-script-error', `${job.path} 99 0`);
        this.remove(job);
      }
    }
    for (const job of this.queue) {
      if (job.running && now - job.time > this.hooks.maxRuntime()) {
        this.hooks.event('-script-timeout', `${job.path} ${job.running.pid}`);
        job.running.kill();
      }
    }
  }

  private finished(job: Job, code: number | null, signal: string | null): void {
    job.running = null;
    if ((signal !== null || code === 1) && job.retryNum < SCRIPT_MAX_RETRY) {
      job.time = this.hooks.now() + this.hooks.retryDelay() * 2 ** (job.retryNum - 1);
      return;
    }
    if (signal !== null || code !== 0) {
      this.hooks.event('-script-error', `${job.path} ${signal === null ? 0 : signalNumber(signal)} ${code ?? 0}`);
    }
    this.remove(job);
  }

  private remove(job: Job): void {
    const i = this.queue.indexOf(job);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** SENTINEL PENDING-SCRIPTS as field lists. */
  pending(): [string, string | string[]][][] {
    const now = this.hooks.now();
    return this.queue.map((j) => [
      ['argv', [j.path, ...j.args]],
      ['flags', j.running ? 'running' : 'scheduled'],
      ['pid', String(j.running ? j.running.pid : 0)],
      j.running ? ['run-time', String(now - j.time)] : ['run-delay', String(Math.max(0, j.time - now))],
      ['retry-num', String(j.retryNum)],
    ]);
  }

  killAll(): void {
    for (const j of this.queue) j.running?.kill();
  }
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };
function signalNumber(name: string): number {
  return SIGNALS[name] ?? 0;
}
