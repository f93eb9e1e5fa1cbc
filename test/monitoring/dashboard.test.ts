/**
 * The Grafana dashboard shipped beside the rules: a dashboard Grafana can import (datasource asked
 * for at import, unique panel ids, panels on the 24-column grid without overlaps, core panel types),
 * every query valid PromQL (promtool parses each one inside a throwaway rules file, with Grafana's
 * variables filled in) and reading only metrics the agent writes; and the README says how to import it.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readMetricNames, writtenMetricNames } from './metric-names.js';
import { mustPromtool, needsPromtool } from './promtool.js';

const ROOT = join(import.meta.dirname, '../..');
const FILE = 'systemd/monitoring/xpos-agent.dashboard.json';

interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id?: number;
  type?: string;
  title?: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
}
interface Dashboard {
  title?: string;
  uid?: string;
  schemaVersion?: number;
  panels?: Panel[];
  __inputs?: { name: string; pluginId: string }[];
  templating?: { list: { name: string; query?: unknown }[] };
}

const dash = JSON.parse(readFileSync(join(ROOT, FILE), 'utf8')) as Dashboard;
const panels = dash.panels ?? [];
const queries = panels.filter((p) => p.type !== 'row');
const exprs = queries.flatMap((p) =>
  (p.targets ?? []).map((q) => ({ panel: p.title ?? '', expr: q.expr ?? '' })),
);
const CORE_TYPES = ['row', 'timeseries', 'bargauge', 'heatmap', 'table', 'stat', 'state-timeline', 'gauge'];

t.test('a dashboard Grafana imports: title, uid, schema, the datasource asked for at import', (t) => {
  t.match(dash.title, /xpos/);
  t.match(dash.uid, /^[a-z0-9-]{1,40}$/);
  t.ok((dash.schemaVersion ?? 0) >= 30, `schemaVersion ${dash.schemaVersion}`);
  t.strictSame(
    dash.__inputs?.map((i) => [i.name, i.pluginId]),
    [['DS_PROMETHEUS', 'prometheus']],
  );
  for (const p of queries) {
    t.equal(p.datasource?.uid, '${DS_PROMETHEUS}', `${p.title}: panel datasource`);
    for (const q of p.targets ?? []) t.equal(q.datasource?.uid, '${DS_PROMETHEUS}', `${p.title} ${q.refId}`);
  }
  t.ok(
    dash.templating?.list.some((v) => v.name === 'instance'),
    'a kiosk selector',
  );
  t.end();
});

t.test('panels: unique ids, core types, on the grid without overlapping, each query with a refId', (t) => {
  const ids = panels.map((p) => p.id);
  t.equal(new Set(ids).size, ids.length, 'unique ids');
  const boxes: { title: string; x: number; y: number; w: number; h: number }[] = [];
  for (const p of panels) {
    t.ok(CORE_TYPES.includes(p.type ?? ''), `${p.title}: type ${p.type}`);
    const g = p.gridPos;
    t.ok(g && g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0, `${p.title}: inside 24 columns`);
    if (g) {
      for (const b of boxes) {
        const overlap = g.x < b.x + b.w && b.x < g.x + g.w && g.y < b.y + b.h && b.y < g.y + g.h;
        t.notOk(overlap, `${p.title} does not overlap ${b.title}`);
      }
      boxes.push({ title: p.title ?? '', ...g });
    }
    if (p.type === 'row') continue;
    const refs = (p.targets ?? []).map((q) => q.refId);
    t.ok(refs.length > 0, `${p.title}: at least one query`);
    t.equal(new Set(refs).size, refs.length, `${p.title}: unique refIds`);
  }
  t.end();
});

t.test('the panels the fleet asked for', (t) => {
  const find = (re: RegExp): Panel | undefined =>
    queries.find((p) => p.targets?.some((q) => re.test(q.expr ?? '')));
  t.ok(
    find(/xpos_sales_total.*by \(instance, result\)|by \(instance, result\).*xpos_sales_total/),
    'sales per kiosk and result',
  );
  t.equal(find(/xpos_gateway_latency_ms_bucket/)?.type, 'heatmap', 'gateway latency histogram');
  const open = queries.find((p) => /pending, queued and flagged/i.test(p.title ?? ''));
  const openExprs = (open?.targets ?? []).map((q) => q.expr ?? '').join('\n');
  t.match(openExprs, /pending/);
  t.match(openExprs, /queued/);
  t.match(openExprs, /xpos_ledger_flagged/);
  t.ok(find(/xpos_device_state/), 'device states');
  t.end();
});

t.test(
  'every query is valid PromQL (promtool) with the variables filled in',
  await needsPromtool(),
  async (t) => {
    const filled = exprs.map((e) =>
      e.expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m').replace(/\$instance/g, '.*'),
    );
    t.notOk(
      filled.some((e) => e.includes('$')),
      'no variable left',
    );
    const rules = {
      groups: [
        { name: 'dashboard', rules: filled.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) },
      ],
    };
    const dir = t.testdir({});
    const file = join(dir, 'queries.yml');
    writeFileSync(file, stringify(rules));
    const r = await mustPromtool(['check', 'rules', file]);
    t.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    t.match(r.stdout, `SUCCESS: ${filled.length} rules found`);
  },
);

t.test('every xpos_* metric the dashboard reads is one the agent writes', (t) => {
  const written = writtenMetricNames();
  for (const { panel, expr } of exprs) {
    for (const name of readMetricNames(expr)) t.ok(written.has(name), `${panel}: ${name}`);
  }
  t.end();
});

t.test('the README says how to import it', (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  t.match(readme, FILE);
  t.match(readme, /Import/);
  t.end();
});
