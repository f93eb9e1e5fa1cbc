/**
 * The shipped alerting rules, checked with Prometheus's own promtool: the file loads (`check rules`),
 * every alert fires and stays quiet as the unit tests in xpos-agent.rules.test.yml expect (`test
 * rules`), every alert the issue asks for exists with an operator's summary and a runbook line, and
 * every xpos_* metric a rule reads is one the agent writes (a typo would be an alert that never fires).
 */
import t from 'tap';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readMetricNames, writtenMetricNames } from './metric-names.js';
import { mustPromtool, needsPromtool } from './promtool.js';

const ROOT = join(import.meta.dirname, '../..');
const RULES = join(ROOT, 'systemd/monitoring/xpos-agent.rules.yml');
const TESTS = join(import.meta.dirname, 'xpos-agent.rules.test.yml');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertCase {
  alertname: string;
  eval_time: string;
  exp_alerts?: unknown[];
}
interface TestGroup {
  name: string;
  alert_rule_test: AlertCase[];
}

const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);
const tests = (parse(readFileSync(TESTS, 'utf8')) as { tests: TestGroup[] }).tests;
const cases = tests.flatMap((g) => g.alert_rule_test);
const promtoolOpts = await needsPromtool();

t.test('promtool check rules accepts the file', promtoolOpts, async (t) => {
  const r = await mustPromtool(['check', 'rules', RULES]);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.match(r.stdout, `SUCCESS: ${rules.length} rules found`);
});

t.test('promtool test rules: every case passes', promtoolOpts, async (t) => {
  const r = await mustPromtool(['test', 'rules', TESTS]);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.match(r.stdout, /SUCCESS/);
});

t.test(
  'promtool test rules fails a wrong expectation and check rules a broken rule',
  promtoolOpts,
  async (t) => {
    const dir = t.testdir({});
    copyFileSync(RULES, join(dir, 'rules.yml'));
    // The kiosk-down case expects k01 at 12m; expecting nothing there must fail.
    const text = readFileSync(TESTS, 'utf8').replace(
      '../../systemd/monitoring/xpos-agent.rules.yml',
      'rules.yml',
    );
    const doc = parse(text) as { tests: TestGroup[] };
    const firing = doc.tests[0]?.alert_rule_test.find((c) => (c.exp_alerts ?? []).length > 0);
    t.ok(firing, 'the first group has a firing case');
    if (firing) firing.exp_alerts = [];
    writeFileSync(join(dir, 'wrong.test.yml'), JSON.stringify(doc));
    const wrong = await mustPromtool(['test', 'rules', join(dir, 'wrong.test.yml')]);
    t.not(wrong.code, 0, 'a wrong expectation fails');
    t.match(wrong.stdout + wrong.stderr, /FAILED/);
    writeFileSync(
      join(dir, 'broken.yml'),
      'groups:\n  - name: x\n    rules:\n      - alert: X\n        expr: xpos_out_of_service ==\n',
    );
    const broken = await mustPromtool(['check', 'rules', join(dir, 'broken.yml')]);
    t.not(broken.code, 0, 'a broken expression fails');
  },
);

t.test('every alert is tested firing and not firing', (t) => {
  for (const { alert } of rules) {
    const mine = cases.filter((c) => c.alertname === alert);
    t.ok(
      mine.some((c) => (c.exp_alerts ?? []).length > 0),
      `${alert}: a case where it fires`,
    );
    t.ok(
      mine.some((c) => (c.exp_alerts ?? []).length === 0),
      `${alert}: a case where it does not`,
    );
  }
  const names = new Set(rules.map((r) => r.alert));
  for (const c of cases) t.ok(names.has(c.alertname), `${c.alertname} in the tests is a rule`);
  t.end();
});

t.test('the alerts the fleet needs are there, each with a summary and a runbook line', (t) => {
  const wanted = [
    'XposSalePendingTooLong',
    'XposSaleFlagged',
    'XposOfflineQueueOld',
    'XposOfflineQueueNearLimit',
    'XposPrinterOffline',
    'XposPrinterOutOfPaper',
    'XposScannerMissing',
    'XposOutOfService',
    'XposClockNotSynced',
    'XposMetricsStale',
    'XposKioskDown',
    'XposChargedAmountMismatch',
    'XposOfflineServedUnpaid',
  ];
  const names = rules.map((r) => r.alert);
  for (const w of wanted) t.ok(names.includes(w), w);
  t.equal(new Set(names).size, names.length, 'alert names are unique');
  for (const r of rules) {
    const a = r.annotations ?? {};
    t.match(a['summary'], /^Kiosk \{\{ \$labels\.instance \}\}/, `${r.alert}: the summary names the kiosk`);
    t.ok((a['description'] ?? '').length > 20, `${r.alert}: a description`);
    t.match(a['runbook'], /\S/, `${r.alert}: a runbook line`);
    t.match(r.labels?.['severity'], /^(critical|warning|info)$/, `${r.alert}: severity`);
    t.match(r.labels?.['team'], /^(ops|finance)$/, `${r.alert}: team`);
  }
  // Most runbooks name the command to run; the paper ones say what to do with the roll instead.
  const withCommand = rules.filter((r) =>
    /xpos-agent (doctor|queue|ledger)/.test(r.annotations?.['runbook'] ?? ''),
  );
  t.ok(
    withCommand.length >= rules.length - 2,
    `${withCommand.length}/${rules.length} runbooks name an xpos-agent command`,
  );
  t.end();
});

t.test('every xpos_* metric the rules read is one the agent writes', (t) => {
  const written = writtenMetricNames();
  const read = new Set(rules.flatMap((r) => readMetricNames(r.expr)));
  t.ok(read.size > 10, `${read.size} metrics read`);
  for (const name of read) t.ok(written.has(name), `${name} is written by agent/metrics.ts`);
  t.end();
});
