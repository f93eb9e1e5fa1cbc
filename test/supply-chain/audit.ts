/**
 * The supply-chain gate's rules: a high or critical advisory in a production dependency fails the
 * build unless the allow-list names it with a reason and a date it must be re-checked by.
 */
export interface AllowEntry {
  id: string | number;
  package: string;
  why: string;
  until: string;
}

export interface Finding {
  id: string;
  package: string;
  severity: string;
  title: string;
}

export interface Verdict {
  blocking: Finding[];
  allowed: Finding[];
  /** Allow-list entries past their date: they no longer excuse anything. */
  expired: AllowEntry[];
}

interface AuditVia {
  source?: number;
  url?: string;
  title?: string;
  severity?: string;
  name?: string;
}

/** `npm audit --json` (npm 7+): vulnerabilities keyed by package, advisories in `via`. */
export function findings(report: unknown): Finding[] {
  const vulns = (report as { vulnerabilities?: Record<string, { via?: unknown[] }> }).vulnerabilities ?? {};
  const out = new Map<string, Finding>();
  for (const [pkg, v] of Object.entries(vulns)) {
    for (const via of v.via ?? []) {
      if (typeof via !== 'object' || via === null) continue; // a string means "through another package"
      const a = via as AuditVia;
      const ghsa = /GHSA-[\w-]+/.exec(a.url ?? '')?.[0];
      const id = ghsa ?? String(a.source ?? '?');
      const severity = a.severity ?? 'unknown';
      if (severity !== 'high' && severity !== 'critical') continue;
      out.set(`${id}/${a.name ?? pkg}`, { id, package: a.name ?? pkg, severity, title: a.title ?? '' });
    }
  }
  return [...out.values()];
}

export function judge(found: readonly Finding[], allow: readonly AllowEntry[], today: string): Verdict {
  const expired = allow.filter((e) => e.until < today);
  const live = allow.filter((e) => e.until >= today && e.why.trim() !== '');
  const excused = (f: Finding): boolean => live.some((e) => String(e.id) === f.id && e.package === f.package);
  return {
    blocking: found.filter((f) => !excused(f)),
    allowed: found.filter(excused),
    expired,
  };
}

/** npm's answer when the advisory service cannot be asked (offline mirror, 405, no network). */
export function serviceUnavailable(report: unknown): string | undefined {
  const r = report as { vulnerabilities?: unknown; error?: { summary?: string }; message?: string };
  if (r.vulnerabilities !== undefined) return undefined;
  // Keep the status, drop the service's address.
  return (r.message ?? r.error?.summary ?? 'no audit report').replace(/\s*-\s*\w+\s+https?:\/\/\S+/, '');
}
