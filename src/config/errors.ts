/** Configuration errors, with stable codes and redis's wording for the reason. */
export type ConfigErrorCode =
  | 'SENTINEL_CONFIG_MISSING'
  | 'SENTINEL_CONFIG_NOT_WRITABLE'
  | 'SENTINEL_CONFIG_BAD_LINE';

export class ConfigError extends Error {
  constructor(
    readonly code: ConfigErrorCode,
    readonly reason: string,
    readonly file: string,
    /** 1-based line number; 0 when the problem is the file itself. */
    readonly line = 0,
    readonly text = '',
  ) {
    super(
      line === 0
        ? reason
        : `\n*** FATAL CONFIG FILE ERROR (sentinel-ts) ***\nReading the configuration file, at line ${line}\n>>> '${text}'\n${reason}`,
    );
    this.name = 'ConfigError';
  }

  /** `file:line: reason`, for humans and logs. */
  get location(): string {
    return this.line ? `${this.file}:${this.line}: ${this.reason}` : `${this.file}: ${this.reason}`;
  }
}
