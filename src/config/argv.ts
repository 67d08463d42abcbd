/**
 * The command line after the config file, as redis-server's main() turns it into config lines
 * (`--port 26380` -> `port "26380"`), appended to the file's lines by the loader.
 */
import { reprArg, splitArgs } from '../util/split-args.js';

/**
 * Turns the arguments after the config file into config lines exactly as redis-server's main()
 * does: each `--name` starts a line `name`, the following arguments are appended in double
 * quotes (sdscatrepr, so an error shows `port "abc"`). After a bare `--name`, the next argument
 * is its value even if it starts with `--`; `--sentinel` and `--save` directly followed by
 * another option (or last) take no value, and `--save` then gets `""`. An argument holding
 * blanks (`"--port 26380"`) is a whole line by itself. A bare `sentinel` line only selects
 * sentinel mode; it is kept (it still counts for line numbers) and ignored by the loader.
 */
export function cliArgsToLines(args: readonly string[]): string[] {
  let options = '';
  let lastHandled = true;
  for (let j = 0; j < args.length; j++) {
    const a = args[j]!;
    if (lastHandled && a.startsWith('--')) {
      if (options.length > 0) options += '\n';
      options += `${a.slice(2)} `;
      if (splitArgs(a)?.length === 1) {
        lastHandled = false;
        const name = a.toLowerCase();
        const last = j === args.length - 1;
        const nextIsOption = !last && args[j + 1]!.startsWith('--');
        if (name === '--save' && (nextIsOption || last)) {
          options += '""';
          lastHandled = nextIsOption;
        } else if (name === '--sentinel' && nextIsOption) {
          lastHandled = true;
        }
      } else {
        lastHandled = true;
      }
    } else {
      options += `${reprArg(a)} `;
      lastHandled = true;
    }
  }
  return options === '' ? [] : options.split('\n');
}
