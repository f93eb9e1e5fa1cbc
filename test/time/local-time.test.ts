/**
 * The daemon reads times in the kiosk's zone from Date's local fields (useProcessZone sets TZ);
 * every other caller goes through Intl.DateTimeFormat. Both must print the same text for every
 * instant, including either side of DST changes and in zones with half-hour offsets.
 */
import t from 'tap';
import { formatZonedTime, partsOf, useProcessZone, zoneLabel } from '../../agent/local-time.js';

const ZONES = [
  'Asia/Shanghai',
  'UTC',
  'America/New_York', // DST, negative offset
  'Europe/London', // DST, offset 0 in winter
  'Asia/Kolkata', // +5:30
  'America/St_Johns', // -3:30 with DST
  'Australia/Lord_Howe', // a 30-minute DST change
  'Pacific/Chatham', // +12:45 / +13:45
  'PRC', // aliases config/load.ts accepts
  'Etc/GMT-8', // POSIX-style sign: UTC+8
  'Asia/Chongqing',
];

/** The zones whose offset changes within the instants below. */
const DST = new Set([
  'America/New_York',
  'Europe/London',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
]);

/** Instants around this year's and next year's changes, hourly across two days, and a spread. */
function instants(): number[] {
  const out: number[] = [];
  const starts = [Date.UTC(2026, 2, 7), Date.UTC(2026, 2, 28), Date.UTC(2026, 3, 4), Date.UTC(2026, 9, 3)];
  for (const s of [...starts, Date.UTC(2026, 9, 24), Date.UTC(2026, 10, 1), Date.UTC(2027, 2, 13)])
    for (let h = 0; h < 48; h += 1) out.push(s + h * 3_600_000 + 59_999);
  for (let i = 0; i < 200; i += 1) out.push(Date.UTC(2000, 0, 1) + i * 86_400_000 * 53 + i * 1_234_567);
  return out;
}

t.test('Date local fields in the process zone read as Intl does', (t) => {
  const saved = process.env['TZ'];
  t.teardown(() => {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  });
  const at = instants();
  for (const zone of ZONES) {
    const viaIntl = at.map((ms) => formatZonedTime(ms, zone));
    const labels = at.map((ms) => zoneLabel(ms, zone));
    useProcessZone(zone);
    t.equal(process.env['TZ'], zone);
    const viaDate = at.map((ms) => formatZonedTime(ms, zone));
    const mismatches = at.filter((_, i) => viaDate[i] !== viaIntl[i]);
    t.same(mismatches, [], `${zone}: ${at.length} instants print alike`);
    t.same(
      at.map((ms) => zoneLabel(ms, zone)),
      labels,
      `${zone}: offset labels alike`,
    );
    if (DST.has(zone)) t.ok(new Set(labels).size > 1, `${zone}: the instants cross an offset change`);
  }
  t.end();
});

t.test('another zone than the process zone still goes through Intl', (t) => {
  const saved = process.env['TZ'];
  t.teardown(() => {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  });
  useProcessZone('Asia/Shanghai');
  const ms = Date.UTC(2026, 6, 1, 12, 0, 0);
  t.equal(formatZonedTime(ms, 'America/New_York'), '2026-07-01 08:00:00 (UTC-4)');
  t.equal(formatZonedTime(ms, 'Asia/Shanghai'), '2026-07-01 20:00:00 (UTC+8)');
  t.equal(partsOf(ms, 'Asia/Kolkata')['timeZoneName'], 'GMT+05:30');
  t.end();
});
