/**
 * Pub/sub of the sentinel's events: which clients listen to which channels and patterns, the
 * fan-out of a message to them (encoded once per protocol, and per pattern), and the
 * client-output-buffer-limit pubsub that drops a subscriber which does not read.
 */
import type { ServerStats } from '../commands/context.js';
import type { ServerOptions } from '../config/model.js';
import { encodeReply } from '../protocol/encode.js';
import type { Reply } from '../protocol/reply.js';
import { array, bulk, push } from '../protocol/reply.js';
import { globMatch } from '../util/glob.js';
import type { LogLevel } from '../util/logger.js';
import type { Client } from './client.js';

/** What the registry needs from the server: the limits, the clock, the log, the counters. */
export interface PubSubHost {
  readonly opts: { readonly options: ServerOptions; log(level: LogLevel, message: string): void };
  readonly stats: ServerStats;
  clock(): number;
  dropClient(client: Client): void;
}

export class PubSubRegistry {
  /** Channel -> subscribers, pattern -> subscribers. */
  private readonly channelSubs = new Map<string, Set<Client>>();
  private readonly patternSubs = new Map<string, Set<Client>>();

  constructor(private readonly host: PubSubHost) {}

  /** Channels with at least one subscriber (INFO pubsub_channels). */
  get channelCount(): number {
    return this.channelSubs.size;
  }

  /** Patterns with at least one subscriber (INFO pubsub_patterns). */
  get patternCount(): number {
    return this.patternSubs.size;
  }

  subscribe(client: Client, channel: string, pattern: boolean): void {
    const set = pattern ? client.patterns : client.channels;
    if (set.has(channel)) return;
    set.add(channel);
    const index = pattern ? this.patternSubs : this.channelSubs;
    let subs = index.get(channel);
    if (!subs) index.set(channel, (subs = new Set()));
    subs.add(client);
  }

  unsubscribe(client: Client, channel: string, pattern: boolean): boolean {
    const set = pattern ? client.patterns : client.channels;
    if (!set.delete(channel)) return false;
    const index = pattern ? this.patternSubs : this.channelSubs;
    const subs = index.get(channel);
    subs?.delete(client);
    if (subs && subs.size === 0) index.delete(channel);
    return true;
  }

  unsubscribeAll(client: Client): void {
    for (const c of [...client.channels]) this.unsubscribe(client, c, false);
    for (const p of [...client.patterns]) this.unsubscribe(client, p, true);
  }

  /** Delivers an event to its subscribers; returns how many received it. */
  publish(channel: string, message: string): number {
    let n = 0;
    const frames = new Map<number, Buffer>();
    const frame = (proto: 2 | 3, parts: Reply[]): Buffer => encodeReply(proto === 3 ? push(parts) : array(parts), proto);
    for (const c of this.channelSubs.get(channel) ?? []) {
      let f = frames.get(c.proto);
      if (!f) frames.set(c.proto, (f = frame(c.proto, [bulk('message'), bulk(channel), bulk(message)])));
      this.deliver(c, f);
      n++;
    }
    for (const [pattern, subs] of this.patternSubs) {
      if (!globMatch(pattern, channel)) continue;
      // One encoding per pattern and protocol, shared by its subscribers.
      const byProto: (Buffer | undefined)[] = [];
      for (const c of subs) {
        const f = (byProto[c.proto] ??= frame(c.proto, [bulk('pmessage'), bulk(pattern), bulk(channel), bulk(message)]));
        this.deliver(c, f);
        n++;
      }
    }
    return n;
  }

  /**
   * Writes a pub/sub message, enforcing client-output-buffer-limit pubsub: a subscriber that
   * does not read is dropped rather than allowed to grow our memory without bound.
   */
  private deliver(c: Client, data: Buffer): void {
    if (c.closed) return;
    const host = this.host;
    const o = host.opts.options;
    const pending = c.pendingOutput + data.length;
    const now = host.clock();
    let over = o.pubsubOutputHardLimit > 0 && pending > o.pubsubOutputHardLimit;
    if (!over && o.pubsubOutputSoftLimit > 0 && pending > o.pubsubOutputSoftLimit) {
      if (c.softLimitSince === 0) c.softLimitSince = now;
      else if (now - c.softLimitSince > o.pubsubOutputSoftSeconds * 1000) over = true;
    } else if (pending <= o.pubsubOutputSoftLimit) {
      c.softLimitSince = 0;
    }
    if (over) {
      host.opts.log('warning', `Client id=${c.id} addr=${c.addr} closed for overcoming of output buffer limits.`);
      host.dropClient(c);
      return;
    }
    host.stats.netOutputBytes += data.length;
    host.stats.writesProcessed++;
    c.send(data);
  }
}
