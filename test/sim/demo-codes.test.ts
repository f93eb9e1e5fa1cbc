/**
 * The simulator's line for a demo scan says what the sandbox will answer for that code, never that
 * a payment happened: the kiosk may refuse the scan (idle, typing a price) and then nothing is paid.
 * The code stays masked: its first two and last four characters only.
 */
import t from 'tap';
import { DEMO_SCANS, demoScanNote } from '../../agent/sim/demo-codes.js';

t.test('each demo code: masked, and what the sandbox answers, not a claim of payment', (t) => {
  for (const demo of DEMO_SCANS) {
    const code = demo.make();
    const line = demoScanNote(demo, code);
    t.ok(line.startsWith(`demo code ${code.slice(0, 2)}…${code.slice(-4)}: `), line);
    t.notOk(line.includes(code.slice(2, -4)), `${demo.key}: the middle of the code is not shown`);
    t.notMatch(line, /scanned|→ paid|→ declined|\bpaid\b/, `${demo.key}: ${line}`);
    t.match(line, /sandbox (pays|declines|holds)/, `${demo.key}: names the sandbox's answer`);
  }
  const s = DEMO_SCANS.find((d) => d.key === 's');
  t.ok(s);
  if (s) t.equal(demoScanNote(s, '281234567890120775'), 'demo code 28…0775: the sandbox pays it');
  t.end();
});
