import { atoi, strtoull } from '../util/parse.js';

/** The hello message sentinels exchange on `__sentinel__:hello`: 8 comma-separated fields. */
export interface Hello {
  ip: string;
  port: number;
  runid: string;
  currentEpoch: number;
  masterName: string;
  masterIp: string;
  masterPort: number;
  masterConfigEpoch: number;
}

export function formatHello(h: Hello): string {
  return [h.ip, h.port, h.runid, h.currentEpoch, h.masterName, h.masterIp, h.masterPort, h.masterConfigEpoch].join(',');
}

/** Returns undefined for anything that is not exactly 8 fields (such hellos are ignored). */
export function parseHello(payload: string): Hello | undefined {
  const f = payload.split(',');
  if (f.length !== 8) return undefined;
  const [ip, port, runid, epoch, name, mip, mport, mepoch] = f as [string, string, string, string, string, string, string, string];
  return {
    ip,
    port: atoi(port),
    runid,
    currentEpoch: strtoull(epoch),
    masterName: name,
    masterIp: mip,
    masterPort: atoi(mport),
    masterConfigEpoch: strtoull(mepoch),
  };
}
