import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch } from '../../src/util/glob.js';

const yes = (p: string, s: string, nocase = false): void => assert.equal(globMatch(p, s, nocase), true, `${p} should match ${JSON.stringify(s)}`);
const no = (p: string, s: string, nocase = false): void => assert.equal(globMatch(p, s, nocase), false, `${p} should not match ${JSON.stringify(s)}`);

test('literals, ? and *', () => {
  yes('+sdown', '+sdown');
  no('+sdown', '-sdown');
  no('+sdown', '+sdow');
  no('+sdow', '+sdown');
  yes('*', 'anything');
  yes('***', 'x');
  yes('+*', '+switch-master');
  no('+*', '-sdown');
  yes('*master', '+switch-master');
  yes('*-*', '+switch-master');
  yes('?sdown', '+sdown');
  yes('?sdown', '-sdown');
  no('?sdown', 'sdown');
  yes('a*b*c', 'aXXbYYc');
  no('a*b*c', 'aXXbYY');
  yes('a*', 'a');
  yes('a**', 'a');
  no('a?', 'a');
});

test('the empty string matches nothing, not even * (redis stringmatchlen)', () => {
  no('*', '');
  no('', 'x');
  yes('', '');
});

test('character classes as node-redis uses them: [-+]sdown, [-+]odown', () => {
  yes('[-+]sdown', '+sdown');
  yes('[-+]sdown', '-sdown');
  no('[-+]sdown', '*sdown');
  yes('[-+]odown', '-odown');
  yes('[abc]x', 'bx');
  no('[abc]x', 'dx');
  yes('[^abc]x', 'dx');
  no('[^abc]x', 'ax');
  yes('[a-c]', 'b');
  yes('[c-a]', 'b'); // reversed range
  no('[a-c]', 'd');
  yes('[\\]]', ']');
  yes('[\\-]', '-');
  no('[\\-]', 'a');
});

test('class corner cases copied from redis: "x-]" is a range ending at ], unterminated classes', () => {
  // [a-]: a range from ']' (0x5d) to 'a' (0x61), and the class goes on to the next ']'.
  yes('[a-]x]', '_');
  yes('[a-]x]', 'x');
  no('[a-]x]', 'b');
  // Unterminated class: the end of the pattern closes it.
  yes('[ab', 'a');
  yes('x[ab', 'xb');
  no('[ab', 'c');
  no('[', 'a');
  yes('[^', 'a');
});

test('backslash escapes outside classes', () => {
  yes('\\*', '*');
  no('\\*', 'a');
  yes('a\\?', 'a?');
  no('a\\?', 'ab');
  yes('a\\', 'a\\'); // trailing backslash is literal
});

test('nocase folds ASCII letters only', () => {
  yes('SENTINEL|*', 'sentinel|masters', true);
  no('SENTINEL|*', 'sentinel|masters');
  yes('[A-C]x', 'bX', true);
  yes('[^a]', 'B', true);
  no('[^a]', 'A', true);
  // The range bounds are ordered before folding: [Z-a] holds only 'Z'..'a' as bytes, and once
  // folded ('z'..'a') nothing matches, exactly as in redis.
  no('[Z-a]', 'm', true);
  yes('[Z-a]', '_');
});

test('matching is done on UTF-8 bytes', () => {
  no('?', 'é'); // two bytes
  yes('??', 'é');
  yes('é*', 'été');
});

test('abusive patterns stay fast (the skip-longer-matches cut)', () => {
  const s = 'a'.repeat(5000);
  const p = '*a'.repeat(40) + 'b';
  no(p, s);
  yes('*a*a*a*a*a*a*a*a', s);
});

test('random patterns agree with a regular-expression oracle when no corner case is involved', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = 'ab+-';
  for (let i = 0; i < 3000; i++) {
    let p = '';
    let re = '^';
    const plen = 1 + rnd(6);
    for (let j = 0; j < plen; j++) {
      const k = rnd(10);
      if (k === 0) {
        p += '*';
        re += '.*';
      } else if (k === 1) {
        p += '?';
        re += '.';
      } else if (k === 2) {
        p += '[-+]';
        re += '[-+]';
      } else if (k === 3) {
        p += '[^a]';
        re += '[^a]';
      } else {
        const ch = alphabet[rnd(alphabet.length)]!;
        p += ch;
        re += ch === '+' ? '\\+' : ch;
      }
    }
    re += '$';
    let s = '';
    const slen = 1 + rnd(6);
    for (let j = 0; j < slen; j++) s += alphabet[rnd(alphabet.length)];
    assert.equal(globMatch(p, s), new RegExp(re, 's').test(s), `${p} vs ${s}`);
  }
});
