/**
 * Times as the kiosk's people read them: in the kiosk's zone (`kiosk.time_zone`), with the zone
 * said, because a receipt, an order number and a report must never contradict each other.
 */

/** Building a DateTimeFormat costs ~0.1 ms; one per zone is kept (a kiosk uses one zone). */
const formats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: date, 24 h time and the offset ("GMT+08:00", "GMT" for UTC). */
export function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23', // never '24:00:00' at midnight
      timeZoneName: 'longOffset',
    });
    if (formats.size < 8) formats.set(timeZone, format);
  }
  return format;
}

/**
 * The zone this process's own Date runs in, when the daemon has set it (useProcessZone). Times in
 * it are read from Date's local fields: an Intl.DateTimeFormat with a time zone maps ~7 MB more
 * of ICU's data and code into the process, which the daemon's RSS target has no room for. Both
 * read the same ICU zone rules, so the two paths give the same text (test/local-time.test.ts).
 */
let processZone: string | undefined;

/**
 * The daemon runs in the kiosk's zone: sets TZ (Node tells V8 at once) so Date's local fields are
 * that zone's. Only for a zone already validated (config/load.ts): an unknown TZ reads as UTC.
 */
export function useProcessZone(timeZone: string): void {
  process.env['TZ'] = timeZone;
  processZone = timeZone;
}

const p2 = (n: number): string => String(n).padStart(2, '0');

function localParts(epochMs: number): Record<string, string> {
  const d = new Date(epochMs);
  const east = -d.getTimezoneOffset();
  const abs = Math.abs(east);
  return {
    year: String(d.getFullYear()),
    month: p2(d.getMonth() + 1),
    day: p2(d.getDate()),
    hour: p2(d.getHours()),
    minute: p2(d.getMinutes()),
    second: p2(d.getSeconds()),
    timeZoneName:
      east === 0 ? 'GMT' : `GMT${east < 0 ? '-' : '+'}${p2(Math.floor(abs / 60))}:${p2(abs % 60)}`,
  };
}

/** year, month, day, hour, minute, second and timeZoneName ("GMT+08:00", "GMT") at that instant. */
export function partsOf(epochMs: number, timeZone: string): Record<string, string> {
  if (timeZone === processZone) return localParts(epochMs);
  return Object.fromEntries(
    zoneFormat(timeZone)
      .formatToParts(epochMs)
      .map((p) => [p.type, p.value]),
  );
}

/** '2026-11-25 19:30:05' in `timeZone`. Throws RangeError for an unknown zone (a config error). */
export function formatLocalTime(epochMs: number, timeZone: string): string {
  const p = partsOf(epochMs, timeZone);
  return `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']}:${p['second']}`;
}

/** 'UTC+8', 'UTC+5:30', 'UTC-3', 'UTC' (a zero offset) for the zone's offset at that instant. */
export function zoneLabel(epochMs: number, timeZone: string): string {
  const name = partsOf(epochMs, timeZone)['timeZoneName'] ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  // ICU writes a zero offset as "GMT" or "GMT+00:00" depending on its version.
  if (!m || (m[2] === '00' && m[3] === '00')) return 'UTC';
  const [, sign, hh, mm] = m;
  return `UTC${sign}${Number(hh)}${mm === '00' ? '' : `:${mm}`}`;
}

/** '2026-11-25 19:30:05 (UTC+8)'. */
export function formatZonedTime(epochMs: number, timeZone: string): string {
  return `${formatLocalTime(epochMs, timeZone)} (${zoneLabel(epochMs, timeZone)})`;
}

/** 'yyMMddHHmmss' in `timeZone`, for ids a person reads beside the printed time. */
export function compactLocalTime(epochMs: number, timeZone: string): string {
  return formatLocalTime(epochMs, timeZone).replace(/[-: ]/g, '').slice(2);
}
