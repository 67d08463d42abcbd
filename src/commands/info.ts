/**
 * INFO in sentinel mode: five sections (Server, Clients, Stats, CPU, Sentinel), always in this
 * order, with redis 7.2's fields. Fields that mean nothing for a sentinel are still present
 * (as 0), because exporters and tools parse them.
 */
import os from 'node:os';
import type { InfoSource } from './context.js';

const SECTIONS = ['server', 'clients', 'stats', 'cpu', 'sentinel'] as const;
type Section = (typeof SECTIONS)[number];

/** Which sections `INFO <args>` returns; unknown names are silently dropped. */
export function selectSections(args: readonly string[]): Section[] {
  if (args.length === 0) return [...SECTIONS];
  const wanted = new Set<Section>();
  for (const a of args) {
    const l = a.toLowerCase();
    if (l === 'all' || l === 'default' || l === 'everything') return [...SECTIONS];
    if ((SECTIONS as readonly string[]).includes(l)) wanted.add(l as Section);
  }
  return SECTIONS.filter((s) => wanted.has(s));
}

export function renderInfo(server: InfoSource, args: readonly string[]): string {
  const parts: string[] = [];
  for (const s of selectSections(args)) {
    const body = sectionBody(server, s);
    parts.push(`# ${s === 'cpu' ? 'CPU' : s[0]!.toUpperCase() + s.slice(1)}\r\n${body}\r\n`);
  }
  return parts.join('\r\n');
}

function sectionBody(server: InfoSource, s: Section): string {
  const now = server.clock();
  switch (s) {
    case 'server': {
      const uptime = Math.floor((now - server.startedAt) / 1000);
      const f: [string, string | number][] = [
        ['redis_version', server.opts.version],
        ['redis_git_sha1', '00000000'],
        ['redis_git_dirty', 0],
        ['redis_build_id', '0'],
        ['redis_mode', 'sentinel'],
        ['os', `${os.type()} ${os.release()} ${os.arch() === 'x64' ? 'x86_64' : os.arch()}`],
        ['arch_bits', os.arch().includes('64') ? 64 : 32],
        ['monotonic_clock', 'POSIX clock_gettime'],
        ['multiplexing_api', 'epoll'],
        ['atomicvar_api', 'c11-builtin'],
        ['gcc_version', '0.0.0'],
        ['process_id', process.pid],
        ['process_supervised', 'no'],
        ['run_id', server.opts.runId],
        ['tcp_port', server.port],
        ['server_time_usec', now * 1000],
        ['uptime_in_seconds', uptime],
        ['uptime_in_days', Math.floor(uptime / 86400)],
        ['hz', 10],
        ['configured_hz', 10],
        ['lru_clock', Math.floor(now / 1000) & 0xffffff],
        ['executable', server.opts.executable],
        ['config_file', server.opts.configFile],
        ['io_threads_active', 0],
      ];
      return [...f.map(([k, v]) => `${k}:${v}`), ...server.listenerInfo()].join('\r\n');
    }
    case 'clients':
      return [
        `connected_clients:${server.clientCount()}`,
        'cluster_connections:0',
        `maxclients:${server.opts.options.maxclients}`,
        `client_recent_max_input_buffer:${server.stats.maxInputBuffer}`,
        'client_recent_max_output_buffer:0',
        'blocked_clients:0',
        `tracking_clients:${server.trackingClientCount()}`,
        'clients_in_timeout_table:0',
        'total_blocking_keys:0',
        'total_blocking_keys_on_nokey:0',
      ].join('\r\n');
    case 'stats': {
      const st = server.stats;
      const values: Record<string, number> = {
        total_connections_received: st.connectionsReceived,
        total_commands_processed: st.commandsProcessed,
        total_net_input_bytes: st.netInputBytes,
        total_net_output_bytes: st.netOutputBytes,
        rejected_connections: st.rejectedConnections,
        pubsub_channels: server.pubsubChannelCount(),
        pubsub_patterns: server.pubsubPatternCount(),
        total_error_replies: st.errorReplies,
        total_reads_processed: st.readsProcessed,
        total_writes_processed: st.writesProcessed,
        tracking_total_prefixes: server.trackingPrefixCount(),
        acl_access_denied_auth: st.aclDeniedAuth,
        acl_access_denied_cmd: st.aclDeniedCmd,
        acl_access_denied_key: 0,
        acl_access_denied_channel: st.aclDeniedChannel,
      };
      const names =
        'total_connections_received total_commands_processed instantaneous_ops_per_sec total_net_input_bytes total_net_output_bytes ' +
        'total_net_repl_input_bytes total_net_repl_output_bytes instantaneous_input_kbps instantaneous_output_kbps ' +
        'instantaneous_input_repl_kbps instantaneous_output_repl_kbps rejected_connections sync_full sync_partial_ok sync_partial_err ' +
        'expired_keys expired_stale_perc expired_time_cap_reached_count expire_cycle_cpu_milliseconds evicted_keys evicted_clients ' +
        'total_eviction_exceeded_time current_eviction_exceeded_time keyspace_hits keyspace_misses pubsub_channels pubsub_patterns ' +
        'pubsubshard_channels latest_fork_usec total_forks migrate_cached_sockets slave_expires_tracked_keys active_defrag_hits ' +
        'active_defrag_misses active_defrag_key_hits active_defrag_key_misses total_active_defrag_time current_active_defrag_time ' +
        'tracking_total_keys tracking_total_items tracking_total_prefixes unexpected_error_replies total_error_replies ' +
        'dump_payload_sanitizations total_reads_processed total_writes_processed io_threaded_reads_processed ' +
        'io_threaded_writes_processed reply_buffer_shrinks reply_buffer_expands eventloop_cycles eventloop_duration_sum ' +
        'eventloop_duration_cmd_sum instantaneous_eventloop_cycles_per_sec instantaneous_eventloop_duration_usec ' +
        'acl_access_denied_auth acl_access_denied_cmd acl_access_denied_key acl_access_denied_channel';
      return names
        .split(' ')
        .map((n) => `${n}:${values[n] ?? (n === 'expired_stale_perc' ? '0.00' : n.startsWith('instantaneous_') && n.endsWith('kbps') ? '0.00' : 0)}`)
        .join('\r\n');
    }
    case 'cpu': {
      const u = process.resourceUsage();
      const sys = (u.systemCPUTime / 1e6).toFixed(6);
      const user = (u.userCPUTime / 1e6).toFixed(6);
      return [
        `used_cpu_sys:${sys}`,
        `used_cpu_user:${user}`,
        'used_cpu_sys_children:0.000000',
        'used_cpu_user_children:0.000000',
        `used_cpu_sys_main_thread:${sys}`,
        `used_cpu_user_main_thread:${user}`,
      ].join('\r\n');
    }
    case 'sentinel':
      return server.opts.hooks.infoSentinelSection();
  }
}
