/**
 * Every error class of sentinel-ts, in one place (the way undici keeps lib/core/errors.js).
 * Each carries a stable `code` that callers and tests may match on; `message` is the text a user
 * sees, in redis's own wording wherever redis has one. Also: the C library's strerror() texts,
 * since redis quotes them in its messages.
 */

/** The base of every sentinel-ts error: `code` is stable across releases, `message` is not. */
export class SentinelTsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

// ---------------------------------------------------------------------------- configuration

export type ConfigErrorCode =
  /** The config file (or an included one) cannot be read. */
  | 'SENTINEL_CONFIG_MISSING'
  /** The config file cannot be written, so the sentinel could not persist its state. */
  | 'SENTINEL_CONFIG_NOT_WRITABLE'
  /** A line of the file (or of the command line) is invalid. */
  | 'SENTINEL_CONFIG_BAD_LINE';

/** A configuration the sentinel refuses to start with. */
export class ConfigError extends SentinelTsError {
  declare readonly code: ConfigErrorCode;
  constructor(
    code: ConfigErrorCode,
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
      code,
      line === 0
        ? reason
        : `\n*** FATAL CONFIG FILE ERROR (sentinel-ts) ***\nReading the configuration file, at line ${line}\n>>> '${text}'\n${reason}`,
    );
  }

  /** `file:line: reason` (or `file: reason`), for humans and logs. */
  get location(): string {
    return this.line ? `${this.file}:${this.line}: ${this.reason}` : `${this.file}: ${this.reason}`;
  }
}

// ---------------------------------------------------------------------------- protocol

/** A monitored server or peer sent bytes that are not RESP (or exceed our limits). */
export class RespProtocolError extends SentinelTsError {
  constructor(message: string) {
    super('SENTINEL_RESP_PROTOCOL', message);
  }
}

// ---------------------------------------------------------------------------- ACL

/** Why an ACL rule was refused: redis's errno for each case, and the message it gives for it. */
export const ACL_RULE_ERRORS = {
  EINVAL: 'Syntax error',
  ENOENT: 'Unknown command or category name in ACL',
  EEXIST:
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  EISDIR:
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  ENODEV: 'The password you are trying to remove from the user does not exist',
  EBADMSG: 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  ECHILD: 'Allowing first-arg of a subcommand is not supported',
} as const;

export type AclRuleErrorCode = keyof typeof ACL_RULE_ERRORS;

/** An ACL rule (ACL SETUSER, a `user` line, an ACL file line) that redis would refuse. */
export class AclError extends SentinelTsError {
  constructor(readonly reason: AclRuleErrorCode) {
    super('SENTINEL_ACL_RULE', ACL_RULE_ERRORS[reason]);
  }
}

// ---------------------------------------------------------------------------- the core's admin operations

export type SentinelErrorCode =
  | 'NO_SUCH_MASTER'
  | 'BAD_QUORUM'
  | 'BAD_ADDRESS'
  | 'BAD_PORT'
  | 'DUPLICATE'
  | 'INPROG'
  | 'NOGOODSLAVE'
  | 'NO_SUCH_REPLICA'
  | 'TARGET_NOT_ELIGIBLE'
  | 'NOGOODPRIMARY'
  | 'NOQUORUM'
  | 'BAD_ARGUMENT';

/** An admin operation the core refuses; `message` is redis's exact reply text. */
export class SentinelError extends SentinelTsError {
  declare readonly code: SentinelErrorCode;
  constructor(code: SentinelErrorCode, message: string) {
    super(code, message);
  }
}

// ---------------------------------------------------------------------------- the drill's client side

/** An error reply (`-ERR ...`, `-READONLY ...`) to a command the drill sent; `message` is its text. */
export class RespReplyError extends SentinelTsError {
  declare readonly code: 'RESP_REPLY';
  constructor(message: string) {
    super('RESP_REPLY', message);
  }

  /** The reply's first word (READONLY, LOADING, MASTERDOWN, ERR, ...): what kind of refusal it is. */
  get prefix(): string {
    return this.message.split(' ', 1)[0] ?? '';
  }
}

export type ConnectionErrorCode =
  /** The TCP or TLS connection could not be made (refused, unreachable, bad certificate). */
  | 'CONNECT_FAILED'
  /** The connection was not made within the connect timeout. */
  | 'CONNECT_TIMEOUT'
  /** The peer closed the connection, or the socket failed, with replies outstanding. */
  | 'CONNECTION_LOST'
  /** We closed the connection ourselves (its outstanding replies will never be read). */
  | 'CONNECTION_CLOSED'
  /** A reply did not come within the command timeout (the connection is then closed). */
  | 'COMMAND_TIMEOUT';

/** A connection of the drill's client that failed or ended; every reply outstanding on it is lost. */
export class ConnectionError extends SentinelTsError {
  declare readonly code: ConnectionErrorCode;
  constructor(code: ConnectionErrorCode, message: string) {
    super(code, message);
  }
}

/** A command line `sentinel-ts drill` refuses; `message` is the one line shown to the user. */
export class DrillArgsError extends SentinelTsError {
  declare readonly code: 'DRILL_BAD_ARGUMENT';
  constructor(message: string) {
    super('DRILL_BAD_ARGUMENT', message);
  }
}

// ---------------------------------------------------------------------------- errno text

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
  const e = err as { code?: unknown } | undefined;
  if (e && typeof e.code === 'string' && Object.hasOwn(STRERROR, e.code)) return STRERROR[e.code]!;
  return e instanceof Error ? e.message : String(err);
}

// ---------------------------------------------------------------------------- HTTP side

/** The HTTP listener (http-port) could not start: the port is taken, the address is not ours, TLS is not configured. */
export class HttpListenError extends SentinelTsError {
  declare readonly code: 'HTTP_LISTEN';
  constructor(message: string) {
    super('HTTP_LISTEN', message);
  }
}
