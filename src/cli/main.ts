/**
 * `sentinel-ts <sentinel.conf> [--<directive> <args>...]`: the process entry point, behaving
 * like `redis-sentinel` given the same arguments.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/load.js';
import { ConfigError, HttpListenError } from '../util/errors.js';
import type { SentinelConfig } from '../config/model.js';
import { Logger } from '../util/logger.js';
import { REPORTED_VERSION, SentinelNode } from '../shell/sentinel-node.js';
import { notifyReady, supervisorOf } from '../shell/supervisor.js';
import { packageVersion } from '../util/version.js';

const DAEMON_CHILD_ENV = 'SENTINEL_TS_DAEMON_CHILD';

function usage(): string {
  return [
    'Usage: sentinel-ts /path/to/sentinel.conf [options]',
    '       sentinel-ts --check-config /path/to/sentinel.conf [options]',
    '       sentinel-ts drill --sentinel <host:port> --master <name> [drill options]',
    '       sentinel-ts -v or --version',
    '       sentinel-ts -h or --help',
    '',
    'Options are config directives (`--port 26380` is the line `port 26380`), as for',
    'redis-sentinel; `--sentinel` alone is accepted and ignored (the form redis-server takes).',
    '`sentinel-ts drill --help` lists the drill\'s options.',
    '',
    'Examples:',
    '       sentinel-ts /etc/sentinel.conf',
    '       sentinel-ts /etc/sentinel.conf --sentinel',
    '       sentinel-ts sentinel.conf --port 26380',
    '       sentinel-ts sentinel.conf --sentinel monitor mymaster 127.0.0.1 6379 2',
    '       sentinel-ts --check-config /etc/sentinel.conf',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const stdoutLog = new Logger('', 'notice');
  const first = argv[0];
  if (first === '-v' || first === '--version') {
    // redis-sentinel prints `Redis server v=7.0.15 sha=... bits=64 ...`: the same key=value shape.
    process.stdout.write(`sentinel-ts v=${packageVersion()} redis-compat=${REPORTED_VERSION} node=${process.version} bits=64\n`);
    return 0;
  }
  if (first === '-h' || first === '--help') {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  if (first === '--check-config') {
    const { runCheckConfig } = await import('./check-config.js');
    return runCheckConfig(argv.slice(1), process.stdout);
  }
  if (first === 'drill') {
    const { runDrill } = await import('./drill.js');
    return runDrill(argv.slice(1));
  }
  if (first === undefined || first.startsWith('--')) {
    stdoutLog.log('warning', 'Sentinel needs config file on disk to save state. Exiting...');
    return 1;
  }

  let config: SentinelConfig;
  try {
    config = loadConfig(first, argv.slice(1), { cwd: process.cwd() });
  } catch (err) {
    if (err instanceof ConfigError) {
      // Like redis: problems with the file itself are logged; a bad line is a fatal config error.
      if (err.line === undefined || err.line === 0) stdoutLog.log('warning', err.reason ?? err.message);
      else process.stderr.write(err.message + '\n');
      return 1;
    }
    throw err;
  }

  // As in redis, a supervised sentinel stays in the foreground whatever `daemonize` says.
  const supervised = supervisorOf(config.server.supervised) !== null;
  if (config.server.daemonize && !supervised && process.env[DAEMON_CHILD_ENV] !== '1') {
    return daemonize(argv);
  }

  try {
    process.chdir(config.server.dir);
  } catch (err) {
    stdoutLog.log('warning', `Can't chdir to '${config.server.dir}': ${(err as Error).message}`);
    return 1;
  }

  let logger: Logger;
  try {
    logger = new Logger(config.server.daemonize && !supervised && !config.server.logfile ? '/dev/null' : config.server.logfile, config.server.loglevel);
  } catch (err) {
    stdoutLog.log('warning', `Can't open the log file: ${(err as Error).message}`);
    return 1;
  }

  const node = new SentinelNode({ config, logger, executable: executablePath() });
  let exitCode: number | null = null;
  let resolveExit: (code: number) => void = () => {};
  const exited = new Promise<number>((r) => (resolveExit = r));
  node.setExitHandler((code) => {
    if (exitCode !== null) return;
    exitCode = code;
    removePidfile(config.server.pidfile);
    logger.log('warning', code === 0 ? 'Sentinel is now ready to exit, bye bye...' : `Sentinel exiting with status ${code}`);
    resolveExit(code);
  });

  logger.log('notice', `oO0OoO0OoO0Oo sentinel-ts is starting oO0OoO0OoO0Oo`);
  logger.log('notice', `sentinel-ts version=${REPORTED_VERSION}, pid=${process.pid}, just started`);
  logger.log('notice', `Configuration loaded`);

  const aclFailure = node.server.loadAclFileAtStartup();
  if (aclFailure !== null) {
    logger.log('warning', aclFailure);
    return 1;
  }

  try {
    await node.start();
  } catch (err) {
    if (err instanceof HttpListenError) {
      logger.log('warning', `${err.message}, aborting.`);
      return 1;
    }
    const e = err as NodeJS.ErrnoException;
    const port = config.server.port;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
      const why = e.code === 'EADDRINUSE' ? 'Address already in use' : e.message;
      logger.log('warning', `Warning: Could not create server TCP listening socket *:${port}: bind: ${why}`);
      logger.log('warning', `Failed listening on port ${port} (TCP), aborting.`);
      return 1;
    }
    logger.log('warning', `Fatal error at start-up: ${e.message}`);
    return 1;
  }
  writePidfile(config.server.pidfile, logger);
  logger.log('notice', `Running mode=sentinel, port=${node.server.port}.`);
  notifyReady(config.server.supervised, logger);

  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      logger.log('warning', `Received ${sig} scheduling shutdown...`);
      void node.stop(0);
    });
  }
  process.on('uncaughtException', (err) => {
    logger.log('warning', `Unexpected error, exiting: ${err.stack ?? err.message}`);
    void node.stop(1);
  });
  return exited;
}

function executablePath(): string {
  return fileURLToPath(import.meta.url);
}

/** Node cannot fork: the daemon is a detached copy of this process with the same arguments. */
function daemonize(argv: string[]): number {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...argv], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [DAEMON_CHILD_ENV]: '1' },
  });
  child.unref();
  return 0;
}

function writePidfile(pidfile: string, logger: Logger): void {
  if (!pidfile) return;
  try {
    fs.writeFileSync(pidfile, `${process.pid}\n`);
  } catch (err) {
    logger.log('warning', `Failed to write PID file: ${(err as Error).message}`);
  }
}

function removePidfile(pidfile: string): void {
  if (!pidfile) return;
  try {
    fs.unlinkSync(pidfile);
  } catch {
    // already gone
  }
}

const isEntryPoint = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntryPoint) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stdout.write(`Fatal error: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
