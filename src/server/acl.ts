/**
 * ACL users of the sentinel: who may connect (passwords, on/off), and which commands and
 * channels they may use. The rule language is redis's (`on`, `>pass`, `+@all`, `&*`, ...).
 */
import { createHash } from 'node:crypto';
import { COMMANDS } from '../commands/table.js';
import { globMatch } from '../util/glob.js';

export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
  'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
] as const;

export class AclUser {
  enabled = false;
  nopass = false;
  /** sha256 hex digests of the passwords. */
  readonly passwords = new Set<string>();
  allCommands = false;
  /** Explicit grants/denials, applied in order after allCommands: [allow, 'cmd' | '@cat']. */
  commandRules: [boolean, string][] = [];
  channels: string[] = [];
  allChannels = false;
  keys: string[] = [];

  constructor(readonly name: string) {}

  /** May this user run `command` (lower-case, `container|sub` for subcommands)? */
  canRun(command: string): boolean {
    let allowed = this.allCommands;
    const [top] = command.split('|');
    const spec = COMMANDS.get(top ?? '');
    const sub = command.includes('|') ? spec?.subcommands.get(command.split('|')[1]!) : undefined;
    const categories = new Set([...(spec?.categories ?? []), ...(sub?.categories ?? [])]);
    for (const [allow, what] of this.commandRules) {
      if (what.startsWith('@')) {
        if (what === '@all' || categories.has(what)) allowed = allow;
      } else if (what === command || what === top) {
        allowed = allow;
      }
    }
    return allowed;
  }

  canUseChannel(channel: string, pattern: boolean): boolean {
    if (this.allChannels) return true;
    return this.channels.some((c) => (pattern ? c === channel : globMatch(c, channel)));
  }

  checkPassword(password: string): boolean {
    if (!this.enabled) return false;
    return this.nopass || this.passwords.has(sha256(password));
  }

  /** The rules as ACL LIST / GETUSER / the config file show them. */
  describe(): string {
    const parts = [`user ${this.name}`, this.enabled ? 'on' : 'off'];
    if (this.nopass) parts.push('nopass');
    for (const p of this.passwords) parts.push(`#${p}`);
    if (this.keys.length) parts.push(...this.keys.map((k) => (k === '*' ? '~*' : `~${k}`)));
    else parts.push('resetkeys');
    parts.push(this.allChannels ? '&*' : this.channels.length ? this.channels.map((c) => `&${c}`).join(' ') : 'resetchannels');
    parts.push(this.commandsText());
    return parts.join(' ');
  }

  commandsText(): string {
    const rules = this.commandRules.map(([a, w]) => `${a ? '+' : '-'}${w}`);
    return [this.allCommands ? '+@all' : '-@all', ...rules.filter((r) => r !== '+@all' && r !== '-@all')].join(' ');
  }
}

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export class AclError extends Error {
  readonly code = 'SENTINEL_ACL_RULE';
}

/** Applies one ACL rule to a user (ACL SETUSER / `user` config lines). */
export function applyRule(u: AclUser, rule: string): void {
  const r = rule.toLowerCase();
  if (r === 'sanitize-payload' || r === 'skip-sanitize-payload') {
    // Flags about RESTORE payloads, which a sentinel never receives: accepted, nothing to do.
  } else if (r === 'on') u.enabled = true;
  else if (r === 'off') u.enabled = false;
  else if (r === 'nopass') {
    u.nopass = true;
    u.passwords.clear();
  } else if (r === 'resetpass') {
    u.nopass = false;
    u.passwords.clear();
  } else if (rule.startsWith('>')) {
    u.passwords.add(sha256(rule.slice(1)));
    u.nopass = false;
  } else if (rule.startsWith('<')) {
    u.passwords.delete(sha256(rule.slice(1)));
  } else if (rule.startsWith('#')) {
    if (!/^#[0-9a-f]{64}$/.test(r)) throw new AclError("The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters");
    u.passwords.add(r.slice(1));
    u.nopass = false;
  } else if (rule.startsWith('!')) {
    u.passwords.delete(r.slice(1));
  } else if (r === 'allkeys' || r === '~*') u.keys = ['*'];
  else if (r === 'resetkeys') u.keys = [];
  else if (rule.startsWith('~') || /^%r?w?~/i.test(rule)) u.keys.push(rule.slice(rule.indexOf('~') + 1));
  else if (r === 'allchannels' || r === '&*') {
    u.allChannels = true;
    u.channels = [];
  } else if (r === 'resetchannels') {
    u.allChannels = false;
    u.channels = [];
  } else if (rule.startsWith('&')) u.channels.push(rule.slice(1));
  else if (r === 'allcommands' || r === '+@all') {
    u.allCommands = true;
    u.commandRules = [];
  } else if (r === 'nocommands' || r === '-@all') {
    u.allCommands = false;
    u.commandRules = [];
  } else if (rule.startsWith('+') || rule.startsWith('-')) {
    const what = r.slice(1);
    if (what.startsWith('@')) {
      if (!(ACL_CATEGORIES as readonly string[]).includes(what.slice(1))) throw new AclError(`Unknown command or category name in ACL`);
    } else if (!COMMANDS.has(what.split('|')[0] ?? '')) {
      throw new AclError('Unknown command or category name in ACL');
    }
    u.commandRules.push([rule.startsWith('+'), what]);
  } else if (r === 'reset') {
    Object.assign(u, { enabled: false, nopass: false, allCommands: false, commandRules: [], channels: [], allChannels: false, keys: [] });
    u.passwords.clear();
  } else {
    throw new AclError('Syntax error');
  }
}

export class AclUsers {
  readonly users = new Map<string, AclUser>();

  constructor(requirepass?: string) {
    const d = new AclUser('default');
    for (const r of ['on', '~*', '&*', '+@all']) applyRule(d, r);
    if (requirepass) applyRule(d, `>${requirepass}`);
    else applyRule(d, 'nopass');
    this.users.set('default', d);
  }

  get(name: string): AclUser | undefined {
    return this.users.get(name);
  }

  /** Whether a fresh connection starts authenticated as `default` (no password, user on). */
  defaultIsOpen(): boolean {
    const d = this.users.get('default');
    return d !== undefined && d.enabled && d.nopass;
  }

  setUser(name: string, rules: readonly string[]): void {
    const existing = this.users.get(name);
    // Rules apply to a copy, so a bad rule leaves the user untouched.
    const u = new AclUser(name);
    if (existing) {
      Object.assign(u, { ...existing, passwords: undefined, commandRules: [...existing.commandRules], channels: [...existing.channels], keys: [...existing.keys] });
      (u as { passwords: Set<string> }).passwords = new Set(existing.passwords);
    }
    for (const r of rules) applyRule(u, r);
    this.users.set(name, u);
  }
}

export type AclDenialReason = 'command' | 'key' | 'channel' | 'auth';

export interface AclLogEntry {
  count: number;
  reason: AclDenialReason;
  /** What was refused: the command's full name, the channel, or the command that tried to authenticate. */
  object: string;
  username: string;
  /** CLIENT LIST line of the connection, as at the latest occurrence. */
  clientInfo: string;
  entryId: number;
  createdAt: number;
  updatedAt: number;
}

/** Denials closer than this to an identical entry are counted in it (redis's grouping window). */
const ACL_LOG_GROUPING_MS = 60_000;
/** Entries compared when looking for one to group with (redis limits the work the same way). */
const ACL_LOG_SCAN = 10;

/** The ACL LOG: the latest denied attempts, newest first, identical ones grouped with a count. */
export class AclLog {
  private entries: AclLogEntry[] = [];
  private nextId = 0;

  constructor(private readonly maxLen = 128) {}

  add(reason: AclDenialReason, object: string, username: string, clientInfo: string, now: number): void {
    const scan = Math.min(this.entries.length, ACL_LOG_SCAN);
    for (let i = 0; i < scan; i++) {
      const e = this.entries[i]!;
      if (e.reason === reason && e.object === object && e.username === username && Math.abs(now - e.updatedAt) <= ACL_LOG_GROUPING_MS) {
        e.count++;
        e.updatedAt = now;
        e.clientInfo = clientInfo;
        this.entries.splice(i, 1);
        this.entries.unshift(e);
        return;
      }
    }
    this.entries.unshift({ count: 1, reason, object, username, clientInfo, entryId: this.nextId++, createdAt: now, updatedAt: now });
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  /** The newest `count` entries. */
  list(count: number): readonly AclLogEntry[] {
    return this.entries.slice(0, Math.max(0, count));
  }

  reset(): void {
    this.entries = [];
  }
}
