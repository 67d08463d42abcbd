/**
 * `sentinel-ts --check-config <file> [--<directive> <args>...]`: everything the start-up would
 * refuse, found without starting: every bad line (directives, `sentinel` directives, values),
 * then what the start-up checks after loading (the config file writable, the ACL file, the TLS
 * files, the listening ports, the log file). Prints `OK`, or each problem as `file:line: reason`;
 * exits 0 or 1. Reads only: nothing is written, created, bound or chdir'd to.
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { parseAclFile } from '../acl/file.js';
import { loadConfigWithLines } from '../config/load.js';
import type { ConfigLine } from '../config/load.js';
import type { SentinelConfig } from '../config/model.js';
import { clientTlsOptions, serverTlsOptions } from '../server/tls-options.js';
import { ConfigError, strerror } from '../util/errors.js';

export interface CheckResult {
  /** The problems, in the order the start-up would meet them; empty = the file is good. */
  problems: string[];
}

/** A located problem (the directive's last line, which is the one that takes effect) or the file's. */
interface Finder {
  (directive: string, reason: string): string;
}

function finder(file: string, lines: readonly ConfigLine[]): Finder {
  return (directive, reason) => {
    let at: ConfigLine | undefined;
    for (const l of lines) {
      const first = l.text.trim().split(/\s+/)[0]?.toLowerCase();
      if (first === directive) at = l;
    }
    return at ? `${at.file}:${at.line}: ${reason} >>> '${at.text.trim()}'` : `${file}: ${reason}`;
  };
}

function describe(err: ConfigError): string {
  return err.line ? `${err.location} >>> '${err.text}'` : err.location;
}

/** Paths in TLS and ACL directives are relative to `dir`, where the sentinel runs. */
function inDir(cfg: SentinelConfig, p: string): string {
  return p === '' ? p : path.resolve(cfg.server.dir, p);
}

function checkAcl(cfg: SentinelConfig, at: Finder): string[] {
  const s = cfg.server;
  if (s.aclfile === '') return [];
  if (s.users.length > 0) return [at('aclfile', `Users are defined both by 'user' lines and in the ACL file ${s.aclfile}: keep them in one of the two places.`)];
  const loaded = parseAclFile(inDir(cfg, s.aclfile), s.aclPubsubDefault);
  return 'error' in loaded ? [at('aclfile', `The ACL file has errors: ${loaded.error}`)] : [];
}

/** Builds the TLS contexts the start-up would build, from the files relative to `dir`. */
function checkTls(cfg: SentinelConfig, at: Finder): string[] {
  const o = cfg.server.tls;
  const server = o.port !== 0 || cfg.server.http.tls;
  if (!server && !o.replication) return [];
  const files = { ...o };
  for (const k of ['certFile', 'keyFile', 'clientCertFile', 'clientKeyFile', 'caCertFile', 'caCertDir', 'dhParamsFile'] as const) files[k] = inDir(cfg, o[k]);
  const out: string[] = [];
  const directive = o.port !== 0 ? 'tls-port' : cfg.server.http.tls ? 'http-tls' : 'tls-replication';
  if (server && (o.certFile === '' || o.keyFile === '')) return [at(directive, 'TLS needs tls-cert-file and tls-key-file')];
  try {
    if (server) tls.createSecureContext(serverTlsOptions(files));
    if (o.replication) tls.createSecureContext(clientTlsOptions(files));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const which = e.path ? `'${e.path}': ${strerror(err)}` : e.message;
    out.push(at(directive, `Failed to configure TLS: ${which}`));
  }
  return out;
}

function checkPorts(cfg: SentinelConfig, at: Finder): string[] {
  const s = cfg.server;
  if (s.port === 0 && s.tls.port === 0) return [at('port', 'Configured to not listen anywhere (port 0 and no tls-port).')];
  const seen = new Map<number, string>();
  const out: string[] = [];
  for (const [name, p] of [['port', s.port], ['tls-port', s.tls.port], ['http-port', s.http.port]] as const) {
    if (p === 0) continue;
    const other = seen.get(p);
    if (other) out.push(at(name, `${name} ${p} is also the ${other}: one port cannot serve both.`));
    else seen.set(p, name);
  }
  return out;
}

/** The log file must be writable (or creatable): the start-up opens it for appending. */
function checkLogfile(cfg: SentinelConfig, at: Finder): string[] {
  const f = cfg.server.logfile;
  if (f === '') return [];
  const p = inDir(cfg, f);
  try {
    fs.accessSync(fs.existsSync(p) ? p : path.dirname(p), fs.constants.W_OK);
    return [];
  } catch (err) {
    return [at('logfile', `Can't open the log file: ${strerror(err)}`)];
  }
}

export function checkConfig(file: string, cliArgs: readonly string[], cwd: string): CheckResult {
  const errors: ConfigError[] = [];
  let loaded: ReturnType<typeof loadConfigWithLines>;
  try {
    loaded = loadConfigWithLines(file, cliArgs, { cwd, problems: errors });
  } catch (err) {
    if (err instanceof ConfigError) return { problems: [describe(err)] };
    throw err;
  }
  const { config, lines } = loaded;
  // The loader meets `sentinel` lines in passes, not in file order: reported in reading order.
  const order = new Map(lines.map((l, i) => [`${l.file}:${l.line}`, i]));
  const rank = (e: ConfigError): number => (e.line ? (order.get(`${e.file}:${e.line}`) ?? lines.length) : lines.length);
  const problems = [...errors].sort((a, b) => rank(a) - rank(b)).map(describe);
  const at = finder(config.path, lines);
  problems.push(...checkPorts(config, at), ...checkAcl(config, at), ...checkTls(config, at), ...checkLogfile(config, at));
  return { problems };
}

/** The CLI: prints the verdict and returns the exit code. */
export function runCheckConfig(argv: readonly string[], out: NodeJS.WritableStream, cwd = process.cwd()): number {
  const file = argv[0];
  if (file === undefined || file.startsWith('--')) {
    out.write('Usage: sentinel-ts --check-config /path/to/sentinel.conf [--<directive> <args>...]\n');
    return 1;
  }
  const { problems } = checkConfig(file, argv.slice(1), cwd);
  if (problems.length === 0) {
    out.write('OK\n');
    return 0;
  }
  for (const p of problems) out.write(p + '\n');
  out.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} found: the sentinel would not start with this configuration.\n`);
  return 1;
}
