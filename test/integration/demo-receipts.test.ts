/**
 * A demo agent (`gateway.url: sandbox`: the simulator, `run --demo`) marks every receipt it prints
 * as a demo; an agent on a real gateway never does. The receipts come off an ESC/POS printer that
 * writes to a file and are read back with the test decoder, as paper.
 */
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { reprintCommand } from '../../agent/cli/reprint.js';
import { buildDevices } from '../../agent/devices.js';
import { createLogger } from '../../agent/log.js';
import { validateConfig } from '../../config/load.js';
import type { Printer } from '../../drivers/printer/types.js';
import { decodeEscpos } from '../helpers/escpos-decode.js';
import { startKiosk } from '../helpers/kiosk-harness.js';
import { APP_KEY } from '../helpers/top-request.js';

const MARK = { zh: '演示 - 非真实交易', en: 'DEMO - not a real payment' } as const;
const COLUMNS = 32;

/** An ESC/POS printer built by the factory, appending its bytes to `paper.bin` in `dir`. */
function paperPrinter(dir: string): { printer: Printer; paper: string } {
  const paper = join(dir, 'paper.bin');
  const config = validateConfig({
    gateway: { url: 'https://eco.taobao.com/router/rest', app_key: APP_KEY },
    store: { store_id: '1', cashier_id: '1', cashier_name: '张丽', machine_id: 'T01' },
    devices: { printer: { type: 'file', path: paper, columns: COLUMNS } },
  });
  return { printer: buildDevices(config, createLogger('silent')).devices.printer, paper };
}

/** The receipts on the roll, each as its lines, one per cut. */
function receiptsOn(paper: string): string[][] {
  if (!existsSync(paper)) return [];
  const d = decodeEscpos(readFileSync(paper), { columns: COLUMNS });
  const out: string[][] = [];
  let from = 0;
  for (const cut of d.cuts) {
    out.push(d.lines.slice(from, cut).map((l) => l.trim()));
    from = cut + 1;
  }
  return out;
}

for (const language of ['zh', 'en'] as const) {
  t.test(`a demo agent marks the sale receipt and its reprint (${language})`, async (t) => {
    // A fresh directory: the paper roll appends, and would hold an earlier run's receipts.
    const { printer, paper } = paperPrinter(t.testdir({}));
    const k = await startKiosk(t, {
      config: { gateway: { url: 'sandbox', app_key: APP_KEY }, kiosk: { key_bounce_ms: 0, language } },
      devices: { printer },
      resolveEveryMs: 100,
    });
    t.not(k.agent.gatewayUrl, k.gateway.url, 'the agent talks to its own embedded demo gateway');
    k.keypad.press('B');
    k.scanner.scan('281234567890123456');
    await k.until(() => k.agent.store.last()?.printed === true);
    const sale = k.agent.store.last();
    t.equal(sale?.status, 'succeeded');

    const out = new PassThrough();
    const ledgerPath = join(t.testdirName, 'ledger.db');
    const code = reprintCommand(
      { ref: sale?.outBizId ?? '', ledgerPath, log: createLogger('silent') },
      out,
      out,
    );
    t.equal(code, 0);
    await k.until(() => receiptsOn(paper).length === 2);

    const [first, again] = receiptsOn(paper);
    for (const [name, lines] of [
      ['sale', first ?? []],
      ['reprint', again ?? []],
    ] as const) {
      const at = lines.flatMap((l, i) => (l === MARK[language] ? [i] : []));
      t.equal(at.length, 2, `${name}: the mark at the top and the foot`);
      t.ok((at[0] ?? 99) <= 2, `${name}: the first within the top lines (line ${at[0]})`);
    }
    const reprintWord = language === 'zh' ? '重印' : 'REPRINT';
    t.ok(
      again?.some((l) => l.includes(reprintWord)),
      `the second is the reprint (${reprintWord})`,
    );
    t.notOk(
      first?.some((l) => l.includes(reprintWord)),
      'the first is not marked as a reprint',
    );
  });
}

t.test('an agent on a real gateway prints no demo mark', async (t) => {
  const { printer, paper } = paperPrinter(t.testdir({}));
  const k = await startKiosk(t, { devices: { printer } });
  t.equal(k.agent.gatewayUrl, k.gateway.url, 'a gateway URL, not the embedded demo');
  k.keypad.press('B');
  k.scanner.scan('281234567890123456');
  await k.until(() => k.agent.store.last()?.printed === true);
  const [receipt] = receiptsOn(paper);
  t.ok(
    receipt?.some((l) => l.includes('成功')),
    'the receipt printed',
  );
  t.notOk(
    receipt?.some((l) => l.includes(MARK.zh) || l.includes(MARK.en)),
    'and carries no demo mark',
  );
});
