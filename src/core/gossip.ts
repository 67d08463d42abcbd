/**
 * Receiving hellos: discovering peers (new, moved, or replaced at an address), adopting a higher
 * epoch, and switching to a master configuration with a higher config epoch. The decisions are
 * in rules/hello.ts; this module applies them to the tables.
 */
import { parseHello } from './hello-message.js';
import type { MasterInstance, SentinelPeer } from './instance.js';
import { addPeer, currentMasterAddr, findSentinel, makeAddr, removeSentinelFromMaster, resetMasterAndChangeAddress, updateSentinelAddressInAllMasters } from './registry.js';
import { clientReconfigScript } from './failover.js';
import { announcesOtherAddress, classifyUnknownPeer } from './rules/hello.js';
import type { CoreContext } from './state.js';
import { adoptEpoch } from './voting.js';

export function processHello(ctx: CoreContext, payload: string, now: number): void {
  const { s, fx } = ctx;
  const h = parseHello(payload);
  if (!h) return;
  const m = s.masters.get(h.masterName);
  if (!m) return;
  let si: SentinelPeer | undefined = findSentinel(m, h.ip, h.port, h.runid);
  if (!si) {
    const change = classifyUnknownPeer(m.sentinels.values(), h.ip, h.port, h.runid);
    if (change.kind === 'address-switch') {
      removeSentinelFromMaster(ctx, m, h.runid);
      fx.event('notice', '+sentinel-address-switch', m, `ip ${h.ip} port ${h.port} for ${h.runid}`);
    } else if (change.kind === 'invalid-addr') {
      fx.event('notice', '+sentinel-invalid-addr', change.obsolete);
      const obsolete = change.obsolete.runid!;
      for (const mm of s.masters.values()) removeSentinelFromMaster(ctx, mm, obsolete);
    }
    si = addPeer(ctx, m, makeAddr(h.ip, h.port), h.runid, now);
    if (change.kind === 'address-switch') updateSentinelAddressInAllMasters(ctx, si);
    else fx.event('notice', '+sentinel', si);
    fx.persist();
  }
  adoptEpoch(ctx, m, h.currentEpoch);
  adoptAnnouncedConfig(ctx, m, si, h.masterIp, h.masterPort, h.masterConfigEpoch, now);
  si.lastHelloTime = now;
  si.helloMasterHost = h.masterIp;
  si.helloMasterPort = h.masterPort;
  si.helloConfigEpoch = h.masterConfigEpoch;
}

/**
 * A peer's view of a master (from its hello, or its SENTINEL MASTER answer while we fence):
 * a higher config epoch replaces ours, and when it names another address, we switch to it.
 */
export function adoptAnnouncedConfig(ctx: CoreContext, m: MasterInstance, si: SentinelPeer, masterIp: string, masterPort: number, configEpoch: number, now: number): void {
  const { fx, rules } = ctx;
  if (rules.isNewerConfig(m.configEpoch, configEpoch)) {
    m.configEpoch = configEpoch;
    // Compare with the address we announce: during our own failover, past the promotion,
    // that is the promoted replica. A newer configuration naming another address must win
    // over our failover, which the switch below ends (redis compares with the old address
    // and can then finish its own failover on an equal epoch with a different master: two
    // sentinel groups stuck on two masters; found by the simulator, seed 139).
    const cur = currentMasterAddr(m);
    if (announcesOtherAddress(masterIp, masterPort, cur)) {
      fx.event('warning', '+config-update-from', si);
      fx.masterEvent('warning', '+switch-master', m, `${m.name} ${fx.announceAddr(cur)} ${cur.port} ${masterIp} ${masterPort}`);
      const oldAddr = { ...cur };
      resetMasterAndChangeAddress(ctx, m, masterIp, masterPort, now);
      clientReconfigScript(ctx, m, 'observer', oldAddr, m.addr);
    }
  }
}
