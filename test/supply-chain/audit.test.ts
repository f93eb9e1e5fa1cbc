import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { findings, judge, serviceUnavailable, type AllowEntry } from './audit.js';

const ROOT = new URL('../../', import.meta.url).pathname;

const report = {
  auditReportVersion: 2,
  vulnerabilities: {
    request: {
      name: 'request',
      severity: 'moderate',
      via: [{ source: 1096727, name: 'request', title: 'SSRF', url: 'https://github.com/advisories/GHSA-p8p7-x288-28g6', severity: 'moderate' }],
    },
    'tough-cookie': {
      name: 'tough-cookie',
      severity: 'high',
      via: [{ source: 1097682, name: 'tough-cookie', title: 'Prototype Pollution', url: 'https://github.com/advisories/GHSA-72xf-g2v4-qvf3', severity: 'high' }],
    },
    wrapper: { name: 'wrapper', severity: 'high', via: ['tough-cookie'] },
  },
}; // prettier-ignore

t.test('high and critical advisories block unless allow-listed with a reason and a date', (t) => {
  const found = findings(report);
  t.same(found, [
    { id: 'GHSA-72xf-g2v4-qvf3', package: 'tough-cookie', severity: 'high', title: 'Prototype Pollution' },
  ]);
  t.same(judge(found, [], '2026-11-25').blocking, found, 'blocks without an entry');
  const entry: AllowEntry = {
    id: 'GHSA-72xf-g2v4-qvf3',
    package: 'tough-cookie',
    why: 'only reached by the dev-only test proxy',
    until: '2027-01-31',
  };
  const ok = judge(found, [entry], '2026-11-25');
  t.same(ok.blocking, []);
  t.same(ok.allowed, found);
  const late = judge(found, [entry], '2027-02-01');
  t.same(late.blocking, found, 'an expired entry excuses nothing');
  t.same(late.expired, [entry]);
  t.same(judge(found, [{ ...entry, why: ' ' }], '2026-11-25').blocking, found, 'an entry needs a reason');
  t.end();
});

t.test('npm audit --omit=dev: no high or critical advisory outside the allow-list', async (t) => {
  const allow = (
    JSON.parse(readFileSync(`${ROOT}audit-allowlist.json`, 'utf8')) as { advisories: AllowEntry[] }
  ).advisories;
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)('npm', ['audit', '--omit=dev', '--json'], { cwd: ROOT }));
  } catch (e) {
    // npm audit exits 1 when it finds anything, and also when it cannot ask the service.
    stdout = (e as { stdout?: string }).stdout ?? '{}';
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout === '' ? '{}' : stdout);
  } catch {
    parsed = {};
  }
  const down = serviceUnavailable(parsed);
  if (down !== undefined) {
    // The registry this machine reaches serves packages but not the advisory service. That is
    // reported loudly and not passed off as a clean audit; AUDIT_REQUIRED=1 makes it fatal.
    if (process.env.AUDIT_REQUIRED === '1') t.fail(`npm audit could not run: ${down}`);
    else t.comment(`npm audit NOT CHECKED: the advisory service is unavailable here (${down})`);
    return;
  }
  const verdict = judge(findings(parsed), allow, new Date().toISOString().slice(0, 10));
  for (const e of verdict.expired) t.comment(`allow-list entry expired: ${String(e.id)} ${e.package}`);
  for (const f of verdict.allowed) t.comment(`accepted: ${f.id} ${f.package} (${f.severity})`);
  t.same(verdict.blocking, [], 'no blocking advisory');
});
