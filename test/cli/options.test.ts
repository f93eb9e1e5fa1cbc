/**
 * main's first pass reads every command line with one table of options (ALL_OPTIONS): an option
 * name must mean the same kind (flag or value) in every command that has it, or the first pass
 * would read some command's value as a command word, or a word as a value.
 */
import t from 'tap';
import { ALL_OPTIONS, COMMANDS, FLEET_OPTIONS } from '../../agent/cli/commands.js';

t.test('an option takes a value in every command or in none', (t) => {
  const kinds = new Map<string, Set<string>>();
  const specs: [string, typeof ALL_OPTIONS][] = [
    ['queue export / ledger', FLEET_OPTIONS],
    ...Object.entries(COMMANDS).map(([k, c]): [string, typeof ALL_OPTIONS] => [k, c.options]),
  ];
  for (const [, options] of specs) {
    for (const [name, o] of Object.entries(options)) {
      const set = kinds.get(name) ?? new Set<string>();
      set.add(o.type);
      kinds.set(name, set);
    }
  }
  const mixed = [...kinds].filter(([, s]) => s.size > 1).map(([n]) => n);
  t.same(mixed, [], 'no option is a flag in one command and takes a value in another');
  for (const [name, set] of kinds)
    t.equal(ALL_OPTIONS[name]?.type, [...set][0], `--${name} in the first pass`);
  t.ok(kinds.size >= 12, `every command's options are covered (${kinds.size})`);
  t.end();
});
