import type { LogLevel } from '../util/logger.js';

/** A reply value from a monitored server or peer, as the shell hands it to the core. */
export type Wire = string | number | bigint | null | WireError | Wire[];
export interface WireError {
  readonly error: string;
}
export function isWireError(v: Wire | undefined): v is WireError {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'error' in v;
}

/** What a sent command's reply means to the core; the shell hands it back untouched. */
export type ReplyKind =
  | 'ping'
  | 'info'
  | 'publish'
  | 'ask'
  | 'subscribe'
  | 'slaveof-exec'
  | 'handover-exec'
  | 'client-list'
  | 'fence-pause'
  | 'peer-view'
  | 'ignore';
export interface ReplyTag {
  readonly kind: ReplyKind;
  /** The instance the command was sent to, by its id (see Instance.id). */
  readonly id: number;
}

/** The effects the core asks its shell to carry out, in order. Plain data: JSON-serialisable. */
export type Action =
  /** Open a connection; `conn` is a fresh id the shell uses in every later report about it. */
  | { type: 'connect'; conn: number; host: string; port: number; purpose: 'cmd' | 'pubsub' }
  | { type: 'send'; conn: number; argv: string[]; tag: ReplyTag }
  | { type: 'close'; conn: number }
  /** Log the event and publish it on the sentinel's own pub/sub (unless debug). */
  | { type: 'event'; level: LogLevel; channel: string; message: string; masterName?: string }
  | { type: 'log'; level: LogLevel; message: string }
  /** Rewrite the config file from `core.exportConfig()` now, before anything else is answered. */
  | { type: 'persist' }
  | { type: 'exit'; code: number }
  /** Queue a user script (notification or client reconfiguration) with these arguments. */
  | { type: 'script'; path: string; args: string[] };
