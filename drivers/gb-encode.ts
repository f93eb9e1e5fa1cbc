/**
 * GB18030/GBK bytes for the printer and the ST7920's glyph lookup, through iconv-lite loaded on
 * first use: its module and stream code are ~10 ms of CPU that the daemon need not spend before
 * READY (the first receipt, or the first screen on an ST7920, loads it; the tables load lazily
 * inside iconv-lite anyway). It stays in node_modules, outside the bundle (scripts/bundle.mjs).
 */
import { createRequire } from 'node:module';
import type * as Iconv from 'iconv-lite';

let iconv: typeof Iconv | undefined;

export function encodeGb(text: string, encoding: 'gb18030' | 'gbk'): Buffer {
  iconv ??= createRequire(import.meta.url)('iconv-lite') as typeof Iconv;
  return iconv.encode(text, encoding);
}
