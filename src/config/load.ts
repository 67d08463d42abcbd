/**
 * Loads sentinel.conf the way redis-sentinel 7.x does (config.c loadServerConfig and
 * sentinel.c loadSentinelConfigFromQueue): the file's lines then the command-line options, in
 * order, with `dir` taking effect at once and `include` inlining files; the `sentinel` lines are
 * queued and applied afterwards in three passes (globals, `monitor`, everything else) so that
 * their order in the file does not matter. Every error carries redis's reason and the line.
 *
 * Nothing here changes the process: `dir` is tracked as a path (the caller chdirs to the
 * returned `server.dir`), and relative paths met later (includes, scripts) resolve against it.
 *
 * This file is the driver: reading files, includes, the command line and the passes. The
 * directive names redis knows and their counts of values are in directives.ts, the directives
 * themselves in server-directives.ts and sentinel-directives.ts, the command line's conversion
 * to lines in argv.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, strerror } from '../util/errors.js';
import { globMatch } from '../util/glob.js';
import { splitArgs } from '../util/split-args.js';
import { cliArgsToLines } from './argv.js';
import { directiveCountError } from './directives.js';
import type { SentinelConfig, ServerOptions } from './model.js';
import { applySentinelDirective, defaultGlobals, sentinelPasses } from './sentinel-directives.js';
import { DEFAULT_DAEMON_PIDFILE, applyServerDirective, defaultServerOptions } from './server-directives.js';

export interface LoadOptions {
  /** Directory that relative paths start from (default: process.cwd()). */
  cwd?: string;
  /**
   * When given, problems are added here and loading goes on past them (for `--check-config`,
   * which reports every problem at once); otherwise the first one is thrown, as at start-up.
   */
  problems?: ConfigError[];
}

/** One line as it was read, untrimmed: from the config file, an included file or the command line. */
export interface ConfigLine {
  /** Absolute path of the file; command-line options count as lines of the main file. */
  file: string;
  /** 1-based; command-line lines continue the main file's numbering, as in redis. */
  line: number;
  text: string;
}

export interface LoadedConfig {
  config: SentinelConfig;
  /** Every line read, in reading order (an include's lines sit right after its `include` line). */
  lines: ConfigLine[];
}

/** redis recurses into includes without limit (and so overflows its stack on a cycle); we stop. */
const MAX_INCLUDE_DEPTH = 32;

/** redis trims each config line of these characters (sdstrim " \t\r\n"). */
function trimLine(s: string): string {
  return s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/**
 * glob(3) for `include` patterns: wildcards (* ? [..]) in any path component, components match
 * whole names, hidden entries only when the pattern component itself starts with a dot, results
 * sorted. No match is not an error (an empty conf.d is fine).
 */
function globFiles(pattern: string): string[] {
  let found = ['/'];
  for (const part of pattern.split('/').filter((p) => p !== '')) {
    const next: string[] = [];
    for (const dir of found) {
      if (!/[*?[]/.test(part)) {
        next.push(path.join(dir, part));
        continue;
      }
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (globMatch(part, name)) next.push(path.join(dir, name));
      }
    }
    found = next;
  }
  return found.filter((f) => fs.existsSync(f)).sort();
}

interface QueuedLine {
  file: string;
  line: number;
  text: string;
  /** The arguments after `sentinel`. */
  argv: string[];
}

class Loader {
  readonly server: ServerOptions;
  readonly lines: ConfigLine[] = [];
  readonly queue: QueuedLine[] = [];
  dir: string;
  private depth = 0;

  constructor(
    cwd: string,
    private readonly report: (err: ConfigError) => void,
  ) {
    this.dir = cwd;
    this.server = defaultServerOptions(cwd);
  }

  run(file: string, lines: string[], firstLine = 1): void {
    lines.forEach((raw, i) => {
      this.lines.push({ file, line: firstLine + i, text: raw });
      try {
        this.line(file, firstLine + i, raw);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        this.report(err);
      }
    });
  }

  private line(file: string, n: number, raw: string): void {
    const text = trimLine(raw);
    if (text === '' || text.startsWith('#')) return;
    const bad = (reason: string): ConfigError => new ConfigError('SENTINEL_CONFIG_BAD_LINE', reason, file, n, text);
    const argv = splitArgs(text);
    if (argv === null) throw bad('Unbalanced quotes in configuration line');
    if (argv.length === 0) return;
    const key = argv[0]!.toLowerCase();
    const args = argv.slice(1);
    // Unknown names and wrong counts of values are refused before anything is applied.
    const countError = directiveCountError(key, args);
    if (countError !== null) throw bad(countError);
    if (key === 'sentinel') {
      // A bare `sentinel` only selects sentinel mode (redis's main() handles it).
      if (args.length > 0) this.queue.push({ file, line: n, text, argv: args });
      return;
    }
    if (key === 'include') {
      this.include(args[0]!, bad);
      return;
    }
    const reason = applyServerDirective(this, key, args);
    if (reason !== null) throw bad(reason);
  }

  private include(spec: string, bad: (reason: string) => ConfigError): void {
    if (this.depth >= MAX_INCLUDE_DEPTH) throw bad('Too many nested includes (an include cycle?)');
    const wildcard = /[*?[]/.test(spec);
    const files = wildcard ? globFiles(path.resolve(this.dir, spec)) : [path.resolve(this.dir, spec)];
    for (const f of files) {
      let text: string;
      try {
        text = fs.readFileSync(f, 'utf8');
      } catch (err) {
        // Like redis: a bare log line naming the file as written, not a framed line error.
        throw new ConfigError('SENTINEL_CONFIG_MISSING', `Fatal error, can't open config file '${wildcard ? f : spec}': ${strerror(err)}`, f);
      }
      this.depth++;
      this.run(f, text.split('\n'));
      this.depth--;
    }
  }
}

/** Loads the configuration; see loadConfigWithLines. */
export function loadConfig(file: string, cliArgs: readonly string[] = [], opts: LoadOptions = {}): SentinelConfig {
  return loadConfigWithLines(file, cliArgs, opts).config;
}

/**
 * Reads `file` (relative to opts.cwd), then `cliArgs` as extra lines, and returns the model with
 * the lines as read. Throws ConfigError: SENTINEL_CONFIG_MISSING when the file (or an included
 * one) cannot be read, SENTINEL_CONFIG_BAD_LINE for an invalid line, and
 * SENTINEL_CONFIG_NOT_WRITABLE when the file loads but cannot be written (checked last, as
 * redis does, so a bad line is reported first).
 */
export function loadConfigWithLines(file: string, cliArgs: readonly string[] = [], opts: LoadOptions = {}): LoadedConfig {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const problems = opts.problems;
  const report = (err: ConfigError): void => {
    if (!problems) throw err;
    problems.push(err);
  };
  // Absolute before anything else: `dir` lines change what a relative path would mean.
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    // A directory is refused here; redis would read it as an empty file and then fail every save.
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    throw new ConfigError('SENTINEL_CONFIG_MISSING', `Fatal error, can't open config file '${abs}': ${strerror(err)}`, abs);
  }

  const loader = new Loader(cwd, report);
  const fileLines = text.split('\n');
  loader.run(abs, fileLines);
  // redis joins the options to the file with one "\n", so they are numbered from the line after
  // the file's last one (a final newline leaves an empty last line in between).
  loader.run(abs, cliArgsToLines(cliArgs), fileLines.length + 1);

  const server = loader.server;
  // redis gives a daemon without a pidfile the default one (which the rewrite then saves).
  if (server.daemonize && !server.pidfile) server.pidfile = DEFAULT_DAEMON_PIDFILE;
  const cfg: SentinelConfig = { path: abs, server, sentinel: defaultGlobals(), masters: [] };

  // A master whose `monitor` line was refused makes each of its later lines fail too ("No such
  // master"): when collecting, only the first problem, the cause, is reported.
  const refusedMasters = new Set<string>();
  for (const pass of sentinelPasses(loader.queue)) {
    for (const q of pass) {
      if (q.argv.length > 1 && refusedMasters.has(q.argv[1]!)) continue;
      const reason = applySentinelDirective(cfg, q.argv, loader.dir);
      if (reason === null) continue;
      const name = q.argv[1];
      if (q.argv[0]!.toLowerCase() === 'monitor' && name !== undefined && !cfg.masters.some((m) => m.name === name)) refusedMasters.add(name);
      report(new ConfigError('SENTINEL_CONFIG_BAD_LINE', reason, q.file, q.line, q.text));
    }
  }

  try {
    fs.accessSync(abs, fs.constants.W_OK);
  } catch (err) {
    report(new ConfigError('SENTINEL_CONFIG_NOT_WRITABLE', `Sentinel config file ${abs} is not writable: ${strerror(err)}. Exiting...`, abs));
  }
  return { config: cfg, lines: loader.lines };
}
