/* eslint-disable no-control-regex -- matching control characters is the point */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKeys } from '../../../src/cli/picker/keys.js';

describe('parseKeys', () => {
  it.each([
    ['\u001b[A', 'up'],
    ['\u001bOA', 'up'],
    ['\u001b[B', 'down'],
    ['\u0010', 'up'],
    ['\u000e', 'down'],
    ['\u001b[5~', 'pageUp'],
    ['\u001b[6~', 'pageDown'],
    ['\u001b[H', 'home'],
    ['\u001b[1~', 'home'],
    ['\u001bOH', 'home'],
    ['\u001b[F', 'end'],
    ['\u001b[4~', 'end'],
    ['\r', 'enter'],
    ['\u007f', 'backspace'],
    ['\b', 'backspace'],
    ['\t', 'tab'],
    ['\u001b', 'escape'],
    ['\u0003', 'ctrlC'],
    ['\u0001', 'ctrlA'],
    ['\u0015', 'ctrlU'],
    ['\u0017', 'ctrlW'],
  ])('reads %j as %s', (input, name) => {
    expect(parseKeys(input)).toEqual([{ name }]);
  });

  it('keeps typed text together, and splits it around keys', () => {
    expect(parseKeys('fix the\u001b[Bbuild\r')).toEqual([
      { name: 'text', text: 'fix the' },
      { name: 'down' },
      { name: 'text', text: 'build' },
      { name: 'enter' },
    ]);
  });

  it('types characters of several code units whole (emoji, CJK, accents)', () => {
    expect(parseKeys('日本😀é')).toEqual([{ name: 'text', text: '日本😀é' }]);
  });

  it('drops unknown sequences, Alt-keys and other controls instead of typing them', () => {
    expect(parseKeys('a\u001b[200~b\u001b[15~c\u001bxd\u0007e\u009bf\u202eg\u001b[1;5A')).toEqual([
      { name: 'text', text: 'a' },
      { name: 'text', text: 'b' },
      { name: 'text', text: 'c' },
      { name: 'text', text: 'defg' },
    ]);
  });

  it('reads a CRLF as one Enter and two ESCs as two Escapes', () => {
    expect(parseKeys('\r\n')).toEqual([{ name: 'enter' }]);
    expect(parseKeys('\u001b\u001b')).toEqual([{ name: 'escape' }, { name: 'escape' }]);
  });

  it('never types a control character, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (input) => {
        const unsafe = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
        return parseKeys(input).every((k) => k.name !== 'text' || (k.text !== '' && !unsafe.test(k.text)));
      }),
    );
  });
});
