/** Configuration errors, with stable codes and redis's wording for the reason. */
export type ConfigErrorCode =
  /** The config file (or an included one) cannot be read. */
  | 'SENTINEL_CONFIG_MISSING'
  /** The config file cannot be written, so the sentinel could not persist its state. */
  | 'SENTINEL_CONFIG_NOT_WRITABLE'
  /** A line of the file (or of the command line) is invalid. */
  | 'SENTINEL_CONFIG_BAD_LINE';

export class ConfigError extends Error {
  constructor(
    readonly code: ConfigErrorCode,
    /** redis's own text for the problem, without any location. */
    readonly reason: string,
    /** Absolute path of the file concerned (for command-line options: the main config file). */
    readonly file: string,
    /** 1-based line number; 0 when the problem is the file itself, not one of its lines. */
    readonly line = 0,
    /** The offending line as redis shows it: trimmed of blanks and line ends. */
    readonly text = '',
  ) {
    // redis prints a bad line in this frame on stderr, and file-level problems as a bare log line.
    super(
      line === 0
        ? reason
        : `\n*** FATAL CONFIG FILE ERROR (sentinel-ts) ***\nReading the configuration file, at line ${line}\n>>> '${text}'\n${reason}`,
    );
    this.name = 'ConfigError';
  }

  /** `file:line: reason` (or `file: reason`), for humans and logs. */
  get location(): string {
    return this.line ? `${this.file}:${this.line}: ${this.reason}` : `${this.file}: ${this.reason}`;
  }
}

const STRERROR: Record<string, string> = {
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  EDQUOT: 'Disk quota exceeded',
  EEXIST: 'File exists',
  EFBIG: 'File too large',
  EINVAL: 'Invalid argument',
  EIO: 'Input/output error',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  EMFILE: 'Too many open files',
  ENAMETOOLONG: 'File name too long',
  ENFILE: 'Too many open files in system',
  ENOENT: 'No such file or directory',
  ENOMEM: 'Cannot allocate memory',
  ENOSPC: 'No space left on device',
  ENOTDIR: 'Not a directory',
  ENXIO: 'No such device or address',
  EPERM: 'Operation not permitted',
  EROFS: 'Read-only file system',
  ETXTBSY: 'Text file busy',
};

/**
 * The C library's strerror() text for a Node system error, since redis quotes strerror in its
 * messages and Node's own messages ("ENOENT: no such file or directory, open '...'") differ.
 */
export function strerror(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e && typeof e.code === 'string' && Object.hasOwn(STRERROR, e.code)) return STRERROR[e.code]!;
  return e instanceof Error ? e.message : String(err);
}
