/**
 * The ST7920 LCD driver against a controller twin at the SPI byte level: every kiosk screen is sent
 * as the chip would receive it, and the twin's text RAM must read back as the four lines a member
 * would see, with no framing, timing, alignment or font error on the way.
 */
import t, { type Test } from 'tap';
import { createLogger } from '../../agent/log.js';
import type { DeviceStatus } from '../../drivers/device.js';
import { encodeLine, initFrames, lcdLines, lineFrames } from '../../drivers/display/st7920-lcd.js';
import { St7920Display } from '../../drivers/display/st7920.js';
import { FakeClock } from '../helpers/gpio-twin.js';
import { SCREENS } from '../helpers/screens.js';
import { St7920Twin } from '../helpers/st7920-twin.js';

async function rig(t: Test) {
  const twin = new St7920Twin();
  const clock = new FakeClock();
  let opens = 0;
  let current = twin;
  const display: St7920Display = new St7920Display({
    open: () => {
      opens += 1;
      return Promise.resolve(current);
    },
    where: '/dev/spidev0.0',
    log: createLogger('silent'),
    backoff: { initialMs: 100, jitter: 0 },
    timers: clock,
  });
  const states: DeviceStatus[] = [];
  display.on('state', (s: DeviceStatus) => states.push(s));
  t.teardown(() => display.close());
  await display.start();
  return {
    twin,
    clock,
    display,
    states,
    opens: () => opens,
    replace(next: St7920Twin) {
      current = next;
    },
  };
}

const trimmed = (twin: St7920Twin): string[] => twin.lines().map((l) => l.trimEnd());

t.test(
  'set-up puts the controller in basic text mode, display on, cleared, with the datasheet delays',
  async (t) => {
    const r = await rig(t);
    t.match(r.states, [{ state: 'online' }]);
    t.ok(r.twin.basic, 'basic instruction set');
    t.ok(r.twin.displayOn, 'display on');
    t.same(r.twin.errors, []);
    t.same(r.twin.writes, [initFrames().length]);
  },
);

t.test('every kiosk screen reads back from the glass as four lines of Chinese', async (t) => {
  const r = await rig(t);
  const expect: Record<string, string[]> = {
    ready: ['输入金额或按 A/B', 'A Day pass  ￥30', 'B Towel ￥5', ''],
    typing: ['请输入金额', '￥12.5  最多5000', '确认键继续', '清除键修改'],
    'typing refused': ['请输入金额', '￥10000 最多5000', '超过最大金额', '确认键继续'],
    'awaiting scan': ['请扫码付款', '￥30.00 Day pass', '剩余 25 秒', '付款码或会员码'],
    paying: ['支付中', '￥12.50', '请稍候', ''],
    checking: ['正在确认', '￥12.50', '请勿离开', '剩余 40 秒'],
    ok: ['支付成功', '￥12.50', '谢谢，请取小票', ''],
    failed: ['支付失败', '￥12.50', '未扣款', '余额不足'],
    refused: ['未收款', '￥12.50', '未扣款', 'offline'],
    pending: ['处理中', '￥12.50', '请保留小票', '结果确认中'],
    queued: ['离线受理', '￥12.50', '联网后确认', '请保留小票'],
    'out of service': ['暂停服务', '扫码器离线', '请联系工作人员', ''],
  };
  t.same(Object.keys(expect).sort(), Object.keys(SCREENS).sort(), 'every screen is checked');
  for (const [name, view] of Object.entries(SCREENS)) {
    r.display.show(view);
    await r.display.idle();
    t.same(trimmed(r.twin), expect[name], name);
    t.comment(`${name}:\n${trimmed(r.twin).join('\n')}`);
  }
  t.same(r.twin.errors, [], 'no framing, timing, alignment or font error');
});

t.test('only the lines that changed are sent again: a countdown costs one line a second', async (t) => {
  const r = await rig(t);
  const { view } = await import('../../agent/kiosk/view.js');
  const { SETTINGS } = await import('../helpers/kiosk-run.js');
  const kiosk = {
    state: { mode: 'awaiting-scan' as const, sale: { amountFen: 3000 }, deadline: 30_000 },
    memory: { salePrefix: 'S', saleSeq: 0 },
  };
  r.display.show(view(kiosk, 5_500, SETTINGS));
  await r.display.idle();
  const before = r.twin.writes.length;
  r.display.show(view(kiosk, 6_000, SETTINGS));
  await r.display.idle();
  t.same(r.twin.writes.slice(before), [1 + 16], 'one address frame and 16 data frames');
  t.equal(trimmed(r.twin)[2], '剩余 24 秒');
  r.display.show(view(kiosk, 6_200, SETTINGS));
  await r.display.idle();
  t.equal(r.twin.writes.length, before + 1, 'an unchanged view sends nothing');
});

t.test('a Chinese character never starts on an odd cell, and characters without a glyph become ?', (t) => {
  t.equal(encodeLine('A单次入场').toString('latin1').slice(0, 2), 'A ', 'a space moves 单 to cell 2');
  const twin = new St7920Twin();
  void twin.write([...initFrames(), ...lineFrames(0, encodeLine('A单次入场 ￥39'))]);
  t.same(twin.errors, []);
  t.equal(twin.lines()[0]?.trimEnd(), 'A 单次入场  ￥39', '￥ moved to an even cell too');
  // 㐀 is outside GB2312 (and GBK's GB2312 part); 😀 is not in any GB font.
  t.equal(iconvLine('x㐀😀'), 'x??');
  // A misaligned line written by hand is what the twin exists to catch.
  const bad = new St7920Twin();
  void bad.write([
    ...initFrames(),
    ...lineFrames(0, Buffer.from([0x41, 0xb5, 0xa5, 0x20, ...Array<number>(12).fill(0x20)])),
  ]);
  t.match(bad.errors, [/split across words/]);
  t.end();
});

function iconvLine(text: string): string {
  return encodeLine(text).toString('latin1').trimEnd();
}

t.test('lcdLines drops the note when it does not fit beside a long amount', (t) => {
  const lines = lcdLines({
    screen: 'typing',
    title: { zh: '请输入金额', en: 'Enter the amount' },
    amount: '99999.99',
    amountNote: { zh: '最多5000', en: 'max' },
    lines: [],
  });
  t.equal(lines[1]?.toString('latin1').trimEnd().length, 10, '￥ (2 bytes) and 8 digits, no note');
  t.end();
});

t.test('a failed transfer takes the display offline; it comes back initialised and redrawn', async (t) => {
  const r = await rig(t);
  r.display.show(SCREENS.ready!);
  await r.display.idle();
  r.twin.failNext = true;
  r.display.show(SCREENS.paying!);
  await r.display.idle();
  t.match(r.states.at(-1), { state: 'offline', detail: /EIO/ });
  t.ok(r.twin.closed, 'the broken link is closed');
  const fresh = new St7920Twin();
  r.replace(fresh);
  r.display.show(SCREENS.ok!);
  await r.clock.advance(100);
  await r.display.idle();
  t.equal(r.opens(), 2);
  t.match(r.states.at(-1), { state: 'online' });
  t.ok(fresh.displayOn, 'initialised again');
  t.same(fresh.lines()[0]?.trimEnd(), '支付成功', 'the latest view, in full');
  t.same(fresh.errors, []);
});
