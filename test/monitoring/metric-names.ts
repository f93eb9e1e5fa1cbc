/**
 * The metric names the agent writes, from a real render (every gauge and counter, with a readable
 * ledger and every config-derived gauge), and the xpos_* names a PromQL expression reads: so the
 * rules and the dashboard can be checked against what exists, and a typo never ships as a quiet alert.
 */
import { Ledger } from '../../agent/ledger/ledger.js';
import { createLogger } from '../../agent/log.js';
import { Metrics } from '../../agent/metrics.js';

export function writtenMetricNames(): Set<string> {
  const ledger = Ledger.open({ path: ':memory:', log: createLogger('silent') });
  try {
    const text = new Metrics({
      offline: { enabled: true, maxCount: 50, maxTotalFen: 200_000, maxAgeMs: 86_400_000 },
      configured: { scanner: true, keypad: true, printer: true },
    }).render({
      devices: [],
      summary: ledger.summary(),
      outOfService: false,
      clockSynced: true,
      clockOffsetMs: 0,
    });
    // Sample lines (histogram _bucket series included) and TYPE lines (a counter with no sample yet).
    return new Set([...text.matchAll(/^(?:# TYPE )?(xpos_[a-z_]+)/gm)].map((m) => m[1] ?? ''));
  } finally {
    ledger.close();
  }
}

/** xpos_* names in an expression; quoted label values (the metrics file's name) are not names. */
export function readMetricNames(expr: string): string[] {
  return [...expr.replace(/"[^"]*"/g, '""').matchAll(/\b(xpos_[a-z_]+)/g)].map((m) => m[1] ?? '');
}
