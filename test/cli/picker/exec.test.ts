import { describe, expect, it } from 'vitest';
import { commandFor, commandWords } from '../../../src/cli/picker/exec.js';

describe('commandWords', () => {
  it.each([
    ['codex resume {}', ['codex', 'resume', '{}']],
    ["  codex   'resume' {}  ", ['codex', 'resume', '{}']],
    ['sh -c \'echo "$1"\' sh {}', ['sh', '-c', 'echo "$1"', 'sh', '{}']],
    ['printf "%s\\n" {}', ['printf', '%s\\n', '{}']],
    ['a\\ b "c \\"d\\"" \'\'', ['a b', 'c "d"', '']],
    ['echo $HOME;rm', ['echo', '$HOME;rm']],
  ])('splits %j as a shell would, expanding nothing', (template, words) => {
    expect(commandWords(template)).toEqual(words);
  });

  it.each([
    ['', '--exec names no command'],
    ['   ', '--exec names no command'],
    ["codex 'resume", "--exec has an unclosed ' quote"],
    ['codex "resume', '--exec has an unclosed " quote'],
  ])('refuses %j', (template, error) => {
    expect(commandWords(template)).toEqual({ error });
  });
});

describe('commandFor', () => {
  it('puts the id in every {} of every word', () => {
    expect(commandFor(['codex', 'resume', '{}', '--tag={}'], 'ID')).toEqual([
      'codex',
      'resume',
      'ID',
      '--tag=ID',
    ]);
  });

  it('adds the id as the last argument when no word has {}', () => {
    expect(commandFor(['codex', 'resume'], 'ID')).toEqual(['codex', 'resume', 'ID']);
  });

  it('keeps whatever the id holds one argument, never shell syntax', () => {
    const id = "x'; rm -rf ~; echo '$(id)`id` {}";
    expect(commandFor(['echo', '{}'], id)).toEqual(['echo', id]);
  });
});
