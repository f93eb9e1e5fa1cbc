/**
 * The simulated printer's saved receipts: numbered on from the highest receipt-NNNNN.txt already in
 * the folder, so a restart of the simulator (or `doctor --print-test` on its config) never replaces
 * a receipt saved before.
 */
import t from 'tap';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PrintDocument } from '../../drivers/printer/document.js';
import { lastReceiptNumber, SimPrinter } from '../../drivers/printer/sim.js';

const doc = (text: string): PrintDocument => ({ blocks: [{ kind: 'text', text }] });

async function printOne(dir: string, text: string): Promise<void> {
  const printer = new SimPrinter({ columns: 32, dir });
  await printer.start();
  await printer.print(doc(text));
  await printer.close();
}

const saved = (dir: string): string[] =>
  readdirSync(dir)
    .filter((n) => n.startsWith('receipt-'))
    .sort();
const content = (dir: string, name: string): string => readFileSync(join(dir, name), 'utf8');

t.test('two printers in sequence on one folder: the second numbers on, nothing replaced', async (t) => {
  const dir = join(t.testdir({}), 'receipts');
  await printOne(dir, 'first run');
  await printOne(dir, 'second run');
  t.same(saved(dir), ['receipt-00001.txt', 'receipt-00002.txt']);
  t.match(content(dir, 'receipt-00001.txt'), 'first run', 'the first run’s receipt is still there');
  t.match(content(dir, 'receipt-00002.txt'), 'second run');
});

t.test('numbering goes on after the highest receipt, whatever else is in the folder', async (t) => {
  const dir = t.testdir({
    'receipt-00003.txt': 'three\n',
    'receipt-00041.txt': 'forty-one\n',
    'receipt-00041.txt.bak': 'a copy\n',
    'receipt-99999999999999999999.txt': 'not a safe number\n',
    'receipt-abc.txt': 'not a number\n',
    'notes.txt': 'hello\n',
    'receipt-00500.txt.d': {},
  });
  t.equal(await lastReceiptNumber(dir), 41);
  const printer = new SimPrinter({ columns: 32, dir });
  await printer.start();
  await printer.print(doc('next'));
  await printer.print(doc('and the next'));
  t.match(content(dir, 'receipt-00042.txt'), 'next');
  t.match(content(dir, 'receipt-00043.txt'), 'and the next');
  t.equal(content(dir, 'receipt-00041.txt'), 'forty-one\n', 'untouched');
  t.equal(content(dir, 'notes.txt'), 'hello\n', 'untouched');
});

t.test('a missing folder is made and numbering starts at 1', async (t) => {
  const dir = join(t.testdir({}), 'state', 'receipts');
  t.equal(await lastReceiptNumber(dir), 0, 'no folder: no receipts, no error');
  await printOne(dir, 'the first');
  t.same(saved(dir), ['receipt-00001.txt']);
});

t.test('a receipt saved by someone else after start is skipped, never overwritten', async (t) => {
  const dir = t.testdir({});
  const a = new SimPrinter({ columns: 32, dir });
  const b = new SimPrinter({ columns: 32, dir });
  await a.start();
  await b.start();
  await a.print(doc('from a'));
  await b.print(doc('from b'));
  writeFileSync(join(dir, 'receipt-00003.txt'), 'written by hand\n');
  await a.print(doc('a again'));
  t.same(saved(dir), ['receipt-00001.txt', 'receipt-00002.txt', 'receipt-00003.txt', 'receipt-00004.txt']);
  t.match(content(dir, 'receipt-00001.txt'), 'from a');
  t.match(content(dir, 'receipt-00002.txt'), 'from b');
  t.equal(content(dir, 'receipt-00003.txt'), 'written by hand\n');
  t.match(content(dir, 'receipt-00004.txt'), 'a again');
});

t.test('the folder removed while running: made again, the receipt saved', async (t) => {
  const dir = join(t.testdir({}), 'receipts');
  const printer = new SimPrinter({ columns: 32, dir });
  await printer.start();
  await printer.print(doc('before'));
  rmSync(dir, { recursive: true });
  await printer.print(doc('after'));
  t.same(saved(dir), ['receipt-00002.txt']);
});

t.test('without a folder: printed and handed on, nothing saved', async (t) => {
  const shown: string[] = [];
  const printer = new SimPrinter({ columns: 32, output: (text) => shown.push(text) });
  await printer.start();
  await printer.print(doc('on screen'));
  t.equal(shown.length, 1);
  t.match(printer.printed[0], 'on screen');
});
