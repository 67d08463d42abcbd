/**
 * Redis-style log lines: `<pid>:X <dd Mon yyyy hh:mm:ss.mmm> <c> <message>`, where <c> is
 * `.` debug, `-` verbose, `*` notice, `#` warning. Written synchronously so that a line logged
 * just before a crash or exit is never lost, and never to stderr.
 */
import fs from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';
export type LogLevelSetting = LogLevel | 'nothing';

const RANK: Record<LogLevelSetting, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const MARK: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export class Logger {
  private fd: number;
  private ownsFd: boolean;
  level: LogLevelSetting;

  constructor(
    private file: string,
    level: LogLevelSetting = 'notice',
    private readonly roleChar = 'X',
  ) {
    this.level = level;
    [this.fd, this.ownsFd] = Logger.open(file);
  }

  private static open(file: string): [number, boolean] {
    if (!file) return [1, false];
    return [fs.openSync(file, 'a'), true];
  }

  /** Re-targets the log (e.g. once the config's logfile is known). */
  setFile(file: string): void {
    if (file === this.file) return;
    const [fd, owns] = Logger.open(file);
    if (this.ownsFd) fs.closeSync(this.fd);
    this.fd = fd;
    this.ownsFd = owns;
    this.file = file;
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }

  log(level: LogLevel, message: string): void {
    if (!this.enabled(level)) return;
    const line = `${process.pid}:${this.roleChar} ${formatTime(new Date())} ${MARK[level]} ${message}\n`;
    try {
      fs.writeSync(this.fd, line);
    } catch {
      // A log that cannot be written must not take the sentinel down.
    }
  }

  /** Logs regardless of the level (start-up banners, fatal errors). */
  raw(message: string): void {
    try {
      fs.writeSync(this.fd, message.endsWith('\n') ? message : message + '\n');
    } catch {
      // see log()
    }
  }

  close(): void {
    if (this.ownsFd) fs.closeSync(this.fd);
    this.ownsFd = false;
    this.fd = 1;
  }
}

function formatTime(d: Date): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${p2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}
