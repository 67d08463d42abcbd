import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quoteArg, reprArg, splitArgs } from '../../src/util/split-args.js';

test('blanks separate arguments; leading and trailing blanks are ignored', () => {
  assert.deepEqual(splitArgs('sentinel monitor mymaster 127.0.0.1 6379 2'), ['sentinel', 'monitor', 'mymaster', '127.0.0.1', '6379', '2']);
  assert.deepEqual(splitArgs('  a \t b\r\n'), ['a', 'b']);
  assert.deepEqual(splitArgs(''), []);
  assert.deepEqual(splitArgs(' \t\v\f '), []);
});

test('double quotes: escapes \\n \\r \\t \\b \\a \\\\ \\" and \\xHH; unknown escapes give the character', () => {
  assert.deepEqual(splitArgs('"a b" c'), ['a b', 'c']);
  assert.deepEqual(splitArgs('"\\n\\r\\t\\b\\a\\\\\\""'), ['\n\r\t\b\x07\\"']);
  assert.deepEqual(splitArgs('"\\x41\\x7a"'), ['Az']);
  assert.deepEqual(splitArgs('"\\x4g"'), ['x4g']); // not a hex escape: backslash dropped
  assert.deepEqual(splitArgs('"\\q"'), ['q']);
  assert.deepEqual(splitArgs('""'), ['']);
  assert.deepEqual(splitArgs('a"b c"'), ['ab c']); // a quote may open inside a token
});

test("single quotes: only \\' is an escape", () => {
  assert.deepEqual(splitArgs("'a b' 'it\\'s' '\\n'"), ['a b', "it's", '\\n']);
  assert.deepEqual(splitArgs("''"), ['']);
});

test('unbalanced quotes, or a closing quote followed by a non-blank, give null', () => {
  assert.equal(splitArgs('"abc'), null);
  assert.equal(splitArgs("'abc"), null);
  assert.equal(splitArgs('"abc"def'), null);
  assert.equal(splitArgs("'abc'def"), null);
  assert.equal(splitArgs('"abc\\"'), null); // the last quote is escaped
  assert.equal(splitArgs('"abc\\'), null);
  assert.deepEqual(splitArgs('"abc"\tdef'), ['abc', 'def']);
  assert.deepEqual(splitArgs('"abc"\vdef'), ['abc', 'def']); // isspace() after a closing quote
});

test('a bare argument ends only at space, tab, CR or LF (as sdssplitargs); NUL ends the line', () => {
  assert.deepEqual(splitArgs('a\vb c'), ['a\vb', 'c']);
  assert.deepEqual(splitArgs('a\fb'), ['a\fb']);
  assert.deepEqual(splitArgs('PING\0 x'), ['PING']);
  assert.deepEqual(splitArgs('"a\0b"'), null);
});

test('reprArg always quotes, with sdscatrepr escapes; quoteArg only when needed', () => {
  assert.equal(reprArg('abc'), '"abc"');
  assert.equal(reprArg(''), '""');
  assert.equal(reprArg('a"b\\c\n\r\t\x07\b\x01\x7f'), '"a\\"b\\\\c\\n\\r\\t\\a\\b\\x01\\x7f"');
  assert.equal(quoteArg('abc'), 'abc');
  assert.equal(quoteArg('127.0.0.1'), '127.0.0.1');
  assert.equal(quoteArg(''), '""');
  assert.equal(quoteArg('a b'), '"a b"');
  assert.equal(quoteArg("it's"), '"it\'s"');
});

test('quoted output parses back to the same value (property, seeded)', () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const chars = ['a', 'Z', '0', ' ', '"', "'", '\\', '\n', '\r', '\t', '\x07', '\b', '\x01', '\x7f', 'x', 'é', '#'];
  for (let i = 0; i < 2000; i++) {
    const args: string[] = [];
    const n = 1 + rnd(4);
    for (let j = 0; j < n; j++) {
      let s = '';
      const len = rnd(8);
      for (let k = 0; k < len; k++) s += chars[rnd(chars.length)];
      args.push(s);
    }
    assert.deepEqual(splitArgs(args.map(quoteArg).join(' ')), args);
    assert.deepEqual(splitArgs(args.map(reprArg).join('  ')), args);
  }
});
