/**
 * Times for finance: wall-clock time in the kiosk's zone with its UTC offset written out
 * ("2026-12-04 21:41:57+08:00"), so a spreadsheet from a kiosk in another zone, or a DST change,
 * can never be misread; and a calendar day in that zone as the epoch range it covers.
 */

import { partsOf, zoneFormat as format } from '../local-time.js';

/** Whether `zone` is an IANA zone this Node knows ("Asia/Shanghai", "UTC"). */
export function isTimeZone(zone: string): boolean {
  try {
    format(zone);
    return true;
  } catch {
    return false;
  }
}

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  offset: string;
}

function parts(epochMs: number, zone: string): Parts {
  const all = partsOf(epochMs, zone);
  const get = (type: Intl.DateTimeFormatPartTypes): string => all[type] ?? '';
  const name = get('timeZoneName');
  const offset = name === 'GMT' ? '+00:00' : name.replace(/^GMT/, '');
  return {
    y: Number(get('year')),
    mo: Number(get('month')),
    d: Number(get('day')),
    h: Number(get('hour')),
    mi: Number(get('minute')),
    s: Number(get('second')),
    offset,
  };
}

const DAY_MS = 86_400_000;

const p2 = (n: number): string => String(n).padStart(2, '0');

/** "2026-12-04 21:41:57+08:00". Throws RangeError for an unknown zone. */
export function formatZoned(epochMs: number, zone: string): string {
  const t = parts(epochMs, zone);
  return `${t.y}-${p2(t.mo)}-${p2(t.d)} ${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}${t.offset}`;
}

/** The zone's offset from UTC at `epochMs`, in ms (Asia/Shanghai: +28,800,000). */
function offsetMs(epochMs: number, zone: string): number {
  const t = parts(epochMs, zone);
  const asUtc = Date.UTC(t.y, t.mo - 1, t.d, t.h, t.mi, t.s);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** `YYYY-MM-DD` → [year, month, day], or undefined when it is not a real calendar date. */
export function parseDay(text: string): [number, number, number] | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d)
    return undefined;
  return [y, mo, d];
}

/**
 * The first instant of a calendar day in `zone` (epoch ms). Midnight is tried with the offsets in
 * force a day before and a day after (a DST change moves it by one of them); the earliest candidate
 * that falls on that day wins, so where a zone skips midnight itself the day starts at the change.
 */
export function startOfDay(day: [number, number, number], zone: string): number {
  const [y, mo, d] = day;
  const wall = Date.UTC(y, mo - 1, d);
  const candidates = [wall - offsetMs(wall - DAY_MS, zone), wall - offsetMs(wall + DAY_MS, zone)];
  const onDay = candidates.filter((at) => {
    const t = parts(at, zone);
    return t.y === y && t.mo === mo && t.d === d;
  });
  return Math.min(...(onDay.length > 0 ? onDay : candidates));
}

/** The day after, as [y, m, d]. */
export function nextDay(day: [number, number, number]): [number, number, number] {
  const t = new Date(Date.UTC(day[0], day[1] - 1, day[2] + 1));
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}
