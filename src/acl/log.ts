/**
 * The ACL LOG: denied commands, keys, channels and failed authentications, newest first, with
 * identical denials close in time grouped into one entry with a count, as redis 7.0 keeps it.
 */
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

  /** acllog-max-len: entries kept (0 keeps none). */
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

  get size(): number {
    return this.entries.length;
  }

  reset(): void {
    this.entries = [];
  }
}
