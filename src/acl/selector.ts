/**
 * ACL selectors: what one set of rules allows (commands and categories, key patterns,
 * channels), and the rules that shape a selector (`+cmd`, `-@cat`, `~key`, `%R~key`, `&chan`,
 * allkeys, resetchannels...). A user's own rules are its root selector; `(...)` rules add more.
 * Command names and categories come from the command table, which is plain data below this
 * layer. The rule language and the error reasons are redis 7.0's.
 */
import { COMMANDS } from '../protocol/command-table.js';
import { AclError } from '../util/errors.js';
import { globMatch } from '../util/glob.js';

export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo', 'stream',
  'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
] as const;

/** Key pattern permissions (%R~, %W~, ~ = both). */
const KEY_READ = 1;
const KEY_WRITE = 2;

/** Whether new users and `reset` start with every channel (acl-pubsub-default allchannels). */
export type PubsubDefault = 'resetchannels' | 'allchannels';

/**
 * What a selector allows: commands, key patterns and channels. A user's own rules are its root
 * selector; `(...)` rules add more selectors, and a command is allowed when any one of them
 * allows it together with its channels.
 */
export class AclSelector {
  allCommands = false;
  /** Explicit grants/denials, applied in order after allCommands: [allow, 'cmd' | '@cat']. */
  commandRules: [boolean, string][] = [];
  allKeys = false;
  /** Key pattern -> KEY_READ | KEY_WRITE. */
  keys = new Map<string, number>();
  allChannels = false;
  channels: string[] = [];

  constructor(pubsubDefault: PubsubDefault = 'resetchannels') {
    this.allChannels = pubsubDefault === 'allchannels';
  }

  protected copyRulesFrom(o: AclSelector): void {
    this.allCommands = o.allCommands;
    this.commandRules = o.commandRules.map(([a, w]) => [a, w]);
    this.allKeys = o.allKeys;
    this.keys = new Map(o.keys);
    this.allChannels = o.allChannels;
    this.channels = [...o.channels];
  }

  cloneSelector(): AclSelector {
    const s = new AclSelector();
    s.copyRulesFrom(this);
    return s;
  }

  /** May this selector run `command` (lower-case, `container|sub` for subcommands)? */
  canRun(command: string): boolean {
    let allowed = this.allCommands;
    if (this.commandRules.length === 0) return allowed; // +@all / -@all alone: nothing to look up
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

  /**
   * May this selector publish to or subscribe to `channel`? A pattern (PSUBSCRIBE) must be one
   * of its patterns literally; a channel must match one of them.
   */
  canUseChannel(channel: string, pattern: boolean): boolean {
    if (this.allChannels) return true;
    return this.channels.some((c) => (pattern ? c === channel : globMatch(c, channel)));
  }

  /** Keys, channels, commands, as redis describes a selector: one rule per token. */
  selectorTokens(): string[] {
    const parts: string[] = [];
    if (this.allKeys) parts.push('~*');
    else parts.push(...this.keyPatterns());
    if (this.allChannels) parts.push('&*');
    else parts.push('resetchannels', ...this.channels.map((c) => `&${c}`));
    parts.push(...this.commandsText().split(' '));
    return parts;
  }

  selectorText(): string {
    return this.selectorTokens().join(' ');
  }

  keyPatterns(): string[] {
    return [...this.keys].map(([p, perm]) => {
      if (perm === KEY_READ) return `%R~${p}`;
      if (perm === KEY_WRITE) return `%W~${p}`;
      // A read-write pattern `*` reached through %RW~* is a pattern, not allkeys: redis prints
      // it as `~*`, which loads back as allkeys and then refuses any pattern after it, so a
      // rewritten config would not load. Written in full, it loads back as what it is.
      return p === '*' ? '%RW~*' : `~${p}`;
    });
  }

  commandsText(): string {
    const rules = this.commandRules.map(([a, w]) => `${a ? '+' : '-'}${w}`);
    return [this.allCommands ? '+@all' : '-@all', ...rules.filter((r) => r !== '+@all' && r !== '-@all')].join(' ');
  }
}

/** redis refuses blanks and NUL in names and patterns. */
const HAS_SPACES = /[\s\0]/;

export function hasSpaces(s: string): boolean {
  return HAS_SPACES.test(s);
}

/** A rule about commands, keys or channels, for the root selector or a `(...)` one. */
export function applySelectorRule(s: AclSelector, rule: string): void {
  const r = rule.toLowerCase();
  const c0 = rule[0];
  if (r === 'allkeys' || r === '~*') {
    s.allKeys = true;
    s.keys.clear();
  } else if (r === 'resetkeys') {
    s.allKeys = false;
    s.keys.clear();
  } else if (c0 === '~' || c0 === '%') {
    if (s.allKeys) throw new AclError('EEXIST');
    let perm = 0;
    let at = 1;
    if (c0 === '%') {
      for (; at < rule.length; at++) {
        const ch = rule[at]!.toUpperCase();
        if (ch === 'R' && !(perm & KEY_READ)) perm |= KEY_READ;
        else if (ch === 'W' && !(perm & KEY_WRITE)) perm |= KEY_WRITE;
        else if (ch === '~') {
          at++;
          break;
        } else throw new AclError('EINVAL');
      }
    } else perm = KEY_READ | KEY_WRITE;
    const pattern = rule.slice(at);
    if (hasSpaces(pattern)) throw new AclError('EINVAL');
    s.keys.set(pattern, (s.keys.get(pattern) ?? 0) | perm);
  } else if (r === 'allchannels' || r === '&*') {
    s.allChannels = true;
    s.channels = [];
  } else if (r === 'resetchannels') {
    s.allChannels = false;
    s.channels = [];
  } else if (c0 === '&') {
    if (s.allChannels) throw new AclError('EISDIR');
    const pattern = rule.slice(1);
    if (hasSpaces(pattern)) throw new AclError('EINVAL');
    if (!s.channels.includes(pattern)) s.channels.push(pattern);
  } else if (r === 'allcommands' || r === '+@all') {
    s.allCommands = true;
    s.commandRules = [];
  } else if (r === 'nocommands' || r === '-@all') {
    s.allCommands = false;
    s.commandRules = [];
  } else if (c0 === '+' || c0 === '-') {
    const what = r.slice(1);
    if (what.startsWith('@')) {
      if (!(ACL_CATEGORIES as readonly string[]).includes(what.slice(1))) throw new AclError('ENOENT');
    } else {
      const [top, sub, ...more] = what.split('|');
      const spec = COMMANDS.get(top ?? '');
      if (!spec) throw new AclError('ENOENT');
      if (sub !== undefined) {
        if (more.length) throw new AclError('ECHILD');
        if (sub === '') throw new AclError('EINVAL');
        if (!spec.subcommands.has(sub)) throw new AclError('ENOENT');
      }
    }
    s.commandRules.push([c0 === '+', what]);
  } else {
    throw new AclError('EINVAL');
  }
}
