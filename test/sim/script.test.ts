/**
 * Piped simulator scripts: the preset letters are taken in either case (`key b` = `key B`), as on
 * the simulator's keyboard and in the README's key table; every other bad key is still an error.
 */
import t from 'tap';
import { SimKeypad } from '../../drivers/keypad/sim.js';
import { SimScanner } from '../../drivers/scanner/sim.js';
import type { KeyName } from '../../config/keys.js';
import { parseLine, runScript, ScriptLineError } from '../../agent/sim/script.js';

t.test('key a–d is key A–D', (t) => {
  t.same(parseLine('key b'), { cmd: 'key', keys: ['B'] });
  t.same(parseLine('key a b c d'), { cmd: 'key', keys: ['A', 'B', 'C', 'D'] });
  t.same(parseLine('  key 1 2 . 5 ENTER d  '), { cmd: 'key', keys: ['1', '2', '.', '5', 'ENTER', 'D'] });
  t.same(parseLine('key B'), { cmd: 'key', keys: ['B'] }, 'upper case as before');
  t.end();
});

t.test('other bad keys are still errors', (t) => {
  for (const bad of ['e', 'E', 'bb', 'enter', 'esc', 'ab', 'é']) {
    t.same(parseLine(`key ${bad}`), { error: `unknown key ${JSON.stringify(bad)}` }, `key ${bad}`);
  }
  t.same(parseLine('key 1 x'), { error: 'unknown key "x"' });
  t.match(parseLine('key'), { error: /needs one or more keys/ });
  t.end();
});

t.test('a script presses the upper-case key for key b, and stops at a bad key', async (t) => {
  const keypad = new SimKeypad();
  await keypad.start();
  const pressed: KeyName[] = [];
  keypad.on('key', (k: KeyName) => pressed.push(k));
  const targets = { keypad, scanner: new SimScanner(), scanDemo: () => true, note: () => undefined };
  const lines = ['key b', 'key c 1', 'key q', 'key A'];
  const err = await runScript(
    (async function* () {
      for (const line of lines) yield await Promise.resolve(line);
    })(),
    targets,
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.same(pressed, ['B', 'C', '1'], 'b and c pressed as B and C; nothing after the bad line');
  t.ok(err instanceof ScriptLineError);
  t.match(err, { line: 3, message: /script line 3: "key q" — unknown key "q"/ });
});
