/**
 * `supervised`: telling a service manager that the sentinel is ready, as redis does.
 *
 * systemd (`Type=notify`) waits for `READY=1` on the datagram socket named by NOTIFY_SOCKET.
 * Node has no unix datagram sockets, so the message is sent by `systemd-notify --ready`, a child
 * process: the unit must say `NotifyAccess=all` (a child is not the main process). Without
 * `--no-block`, systemd-notify waits until systemd has read the message (a BARRIER), so the
 * child exiting first cannot make systemd drop it as coming from an unknown process.
 *
 * upstart (`expect stop`) waits for the process to stop itself with SIGSTOP; it then resumes it.
 */
import { spawn } from 'node:child_process';
import type { ServerOptions } from '../config/model.js';
import type { Logger } from '../util/logger.js';

export type Supervisor = 'systemd' | 'upstart' | null;

/** The supervisor in effect: `auto` looks at the environment each one sets, as redis does. */
export function supervisorOf(mode: ServerOptions['supervised'], env: NodeJS.ProcessEnv = process.env): Supervisor {
  if (mode === 'systemd' || mode === 'upstart') return mode;
  if (mode === 'auto') {
    if (env['UPSTART_JOB']) return 'upstart';
    if (env['NOTIFY_SOCKET']) return 'systemd';
  }
  return null;
}

/** The command that reports readiness to systemd (exported for the tests). */
export const SYSTEMD_NOTIFY = 'systemd-notify';

/** Reports readiness to the supervisor; problems are logged, never fatal (as in redis). */
export function notifyReady(mode: ServerOptions['supervised'], logger: Logger): void {
  const sup = supervisorOf(mode);
  if (sup === 'upstart') {
    if (!process.env['UPSTART_JOB']) {
      logger.log('warning', 'upstart supervision requested, but UPSTART_JOB not found!');
      return;
    }
    logger.log('notice', 'supervised by upstart, will stop to signal readiness.');
    process.kill(process.pid, 'SIGSTOP');
    delete process.env['UPSTART_JOB'];
    return;
  }
  if (sup !== 'systemd') return;
  if (!process.env['NOTIFY_SOCKET']) {
    logger.log('warning', 'systemd supervision requested or auto-detected, but NOTIFY_SOCKET environment variable not found!');
    return;
  }
  logger.log('notice', 'Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit.');
  const child = spawn(SYSTEMD_NOTIFY, ['--ready', '--status=Ready to accept connections'], { stdio: 'ignore' });
  child.on('error', (err) => logger.log('warning', `Could not report readiness to systemd (${SYSTEMD_NOTIFY}): ${err.message}`));
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) logger.log('warning', `${SYSTEMD_NOTIFY} --ready exited with status ${code}: systemd may not have seen the sentinel ready`);
  });
}
