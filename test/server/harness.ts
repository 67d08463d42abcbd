/** Starts a RespServer in-process on 127.0.0.1:<ephemeral> with fake sentinel hooks. */
import os from 'node:os';
import { defaultServerOptions } from '../../src/config/server-directives.js';
import type { ServerOptions } from '../../src/config/model.js';
import type { Reply } from '../../src/protocol/reply.js';
import { OK, array, bulk, bulkMap, error, fieldMaps, nullArray } from '../../src/protocol/reply.js';
import { RespServer } from '../../src/server/server.js';
import type { ClientContext, SentinelHooks } from '../../src/server/hooks.js';
import { RawClient } from './raw-client.js';

export const VERSION = '7.2.4';

export const INFO_SENTINEL =
  'sentinel_masters:1\r\nsentinel_tilt:0\r\nsentinel_tilt_since_seconds:-1\r\nsentinel_running_scripts:0\r\n' +
  'sentinel_scripts_queue_length:0\r\nsentinel_simulate_failure_flags:0\r\n' +
  'master0:name=mymaster,status=ok,address=127.0.0.1:42001,slaves=2,sentinels=3';

export class FakeHooks implements SentinelHooks {
  readonly calls: { sub: string; args: readonly string[]; ctx: ClientContext }[] = [];
  readonly hellos: string[] = [];
  shutdowns = 0;
  /** Times the INFO sentinel section was asked for. */
  infoBuilds = 0;
  /** What keptAnswersVersion reports: a test moves it on to say the kept answers changed. */
  keptVersion = 0;
  /** What get-master-addr-by-name answers for mymaster (a kept answer, as the sentinel's is). */
  masterAddr: [string, string] = ['127.0.0.1', '42001'];
  /** What SENTINEL MASTERS shows as mymaster's quorum; SENTINEL SET mymaster quorum <n> changes it. */
  quorum = 2;

  sentinelCommand(sub: string, args: readonly string[], ctx: ClientContext): Reply {
    this.calls.push({ sub, args, ctx });
    switch (sub) {
      case 'get-master-addr-by-name':
        if (args[0] !== 'mymaster') return nullArray;
        ctx.answerKept(false, this.keptVersion);
        return array([bulk(this.masterAddr[0]), bulk(this.masterAddr[1])]);
      case 'master':
        return args[0] === 'mymaster' ? bulkMap([['name', 'mymaster'], ['ip', '127.0.0.1'], ['port', '42001']]) : error('ERR No such master with that name');
      case 'masters':
        // Written from this object when encoded, as the sentinel's field maps are (not kept).
        return fieldMaps({ length: 1, write: (_i, into) => (into.field('name', 'mymaster'), into.field('quorum', this.quorum)) });
      case 'set':
        this.quorum = Number(args[2]);
        return OK;
      case 'flushconfig':
        return OK;
      default:
        return error(`ERR fake hooks: ${sub}`);
    }
  }

  keptAnswersVersion(_timed: boolean): number {
    return this.keptVersion;
  }

  infoSentinelTimed(): boolean {
    return false;
  }

  infoSentinelSection(): string {
    this.infoBuilds++;
    return INFO_SENTINEL;
  }

  masterNames(): string[] {
    return ['mymaster'];
  }

  helloReceived(payload: string): void {
    this.hellos.push(payload);
  }

  shutdown(): void {
    this.shutdowns++;
  }
}

export interface Harness {
  server: RespServer;
  port: number;
  hooks: FakeHooks;
  logs: string[];
  /** Virtual time for the server's clock (ms); starts at 1e12. */
  now: { ms: number };
  connect(): Promise<RawClient>;
  stop(): Promise<void>;
}

export async function startServer(options: Partial<ServerOptions> = {}): Promise<Harness> {
  const hooks = new FakeHooks();
  const logs: string[] = [];
  const now = { ms: 1e12 };
  const server = new RespServer({
    options: { ...defaultServerOptions(os.tmpdir()), port: 0, bind: ['127.0.0.1'], ...options },
    hooks,
    log: (level, message) => logs.push(`${level} ${message}`),
    version: VERSION,
    runId: 'r'.repeat(40),
    configFile: '/tmp/sentinel-ts-test.conf',
    executable: '/usr/bin/sentinel-ts',
    clock: () => now.ms,
  });
  await server.listen();
  const clients: RawClient[] = [];
  return {
    server,
    port: server.port,
    hooks,
    logs,
    now,
    async connect() {
      const c = await RawClient.connect(server.port);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await server.close();
    },
  };
}

/** RESP2 encoding of a request (what real clients send). */
export function req(...argv: string[]): string {
  return `*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

/** The HELLO reply for a client id, byte for byte (RESP3 map or RESP2 flat array). */
export function helloReply(id: number, proto: 2 | 3): string {
  const body =
    `$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$${VERSION.length}\r\n${VERSION}\r\n$5\r\nproto\r\n:${proto}\r\n` +
    `$2\r\nid\r\n:${id}\r\n$4\r\nmode\r\n$8\r\nsentinel\r\n$7\r\nmodules\r\n*0\r\n`;
  return (proto === 3 ? '%6\r\n' : '*12\r\n') + body;
}
