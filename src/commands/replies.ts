/**
 * Reply shapes the reply model has no type for (RESP3 sets, doubles, verbatim strings, each
 * with its RESP2 form), and the layout of the HELP replies: shared by the command families.
 */
import { encodeReply } from '../protocol/encode.js';
import type { Proto, Reply } from '../protocol/reply.js';
import { array, bulk } from '../protocol/reply.js';

/** A RESP3 set (`~`); the reply model has no set type, so RESP3 gets pre-encoded bytes. */
export function setOf(items: Reply[], proto: Proto): Reply {
  if (proto === 2) return array(items);
  return { t: 'raw', v: Buffer.concat([Buffer.from(`~${items.length}\r\n`), ...items.map((x) => encodeReply(x, 3))]) };
}

/** A double: RESP3 `,`, RESP2 a bulk string; the shortest text that reads back the same, as redis 7.2 prints it. */
export function double(v: number, proto: Proto): Reply {
  const text = String(v);
  return proto === 2 ? bulk(text) : { t: 'raw', v: Buffer.from(`,${text}\r\n`) };
}

/** A RESP3 verbatim string (`=<len>\r\ntxt:...`), a bulk string in RESP2 (CLIENT INFO/LIST). */
export function verbatimText(text: string, proto: Proto): Reply {
  if (proto === 2) return bulk(text);
  const body = Buffer.from(`txt:${text}`, 'utf8');
  return { t: 'raw', v: Buffer.concat([Buffer.from(`=${body.length}\r\n`), body, Buffer.from('\r\n')]) };
}

/**
 * A HELP reply in redis's layout: a synopsis line, then each subcommand's syntax followed by
 * indented lines that explain it, then HELP itself. The explanations are our own words.
 */
export function helpLines(container: string, entries: readonly (readonly [string, ...string[]])[]): readonly string[] {
  const lines = [`${container} <subcommand> [<arg> [value] [opt] ...]. The subcommands:`];
  for (const [syntax, ...text] of [...entries, ['HELP', 'Show this list.'] as const]) {
    lines.push(syntax, ...text.map((t) => `    ${t}`));
  }
  return lines;
}

/** redis's text for an unknown command: its name and the start of its arguments, each cut at 128. */
export function unknownCommand(argv: readonly string[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${argv[i]!.slice(0, 128 - args.length)}' `;
  }
  return `ERR unknown command '${(argv[0] ?? '').slice(0, 128)}', with args beginning with: ${args}`;
}
