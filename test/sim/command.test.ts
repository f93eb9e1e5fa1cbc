/**
 * The config the simulator runs with (and writes to `<state dir>/sim.yaml` for the operators'
 * tools): its devices are the simulator's twins, so `doctor` reports them as simulated, and its
 * ledger backups go beside the demo ledger, never into the production folder.
 */
import t from 'tap';
import { parse } from 'yaml';
import { validateConfig } from '../../config/load.js';
import { simConfig } from '../../agent/sim/command.js';

t.test('the built-in simulator config: sim devices, backups in the state folder', (t) => {
  const c = simConfig('/tmp/xpos-sim-state');
  t.same(c.devices.scanner, { type: 'sim' });
  t.same(c.devices.keypad, { type: 'sim' });
  t.same(c.devices.printer, { type: 'sim', columns: 32 });
  t.same(c.devices.feedback, { type: 'sim' });
  t.same(c.devices.display, { type: 'sim' });
  t.equal(c.backup.dir, '/tmp/xpos-sim-state/backups');
  t.equal(c.paths.state_dir, '/tmp/xpos-sim-state');
  t.not(c.backup.dir, '/var/lib/xpos-agent-backups');
  t.end();
});

t.test('a relative state folder still gives an absolute backup folder (the schema wants one)', (t) => {
  const c = simConfig('state');
  t.match(c.backup.dir, /^\/.*\/state\/backups$/);
  // What sim.yaml holds is read back by the tools through the same schema.
  t.same(validateConfig(parse(JSON.stringify(c)) as unknown, 'sim.yaml').backup, c.backup);
  t.end();
});
