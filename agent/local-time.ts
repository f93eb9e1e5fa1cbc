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

function partsOf(epochMs: number, timeZone: string): Record<string, string> {
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

/** 'UTC+8', 'UTC+5:30', 'UTC-3', 'UTC' for the zone's offset at that instant. */
export function zoneLabel(epochMs: number, timeZone: string): string {
  const name = partsOf(epochMs, timeZone)['timeZoneName'] ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  if (!m) return 'UTC';
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
