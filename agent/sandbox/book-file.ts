/**
 * The embedded sandbox's payment book on disk (`<state dir>/sandbox-book.json`), so a simulator
 * quit during a pending payment finds that payment again at its next start (the agent's recovery
 * queries it by checkout_id) and payment numbers (PO…, checkout and order ids) never repeat.
 *
 * A journal of JSON lines: the first is the whole book, each later one the records a call changed
 * (later records replace earlier ones with the same key). A call appends a few hundred bytes, so a
 * simulator that has run for weeks answers as fast as a new one; rewriting the whole book on every
 * call made each call cost the size of the book. The journal is compacted (the whole book written
 * to a temporary file and renamed over it: the old journal or the new one, never half) at the
 * first save and whenever the appended lines outgrow the book they follow.
 *
 * It is demo data. A last line cut short by a crash is dropped (its call was never answered: the
 * line is written before the reply); a book that cannot be read otherwise is set aside (renamed,
 * not deleted) and a new one started.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../log.js';
import type { BookSnapshot } from './book-types.js';

export const BOOK_FILE = 'sandbox-book.json';

/** Compact no sooner than this many appended bytes, however small the book. */
const MIN_COMPACT_BYTES = 1 << 20;

export type LoadedBook = { book?: BookSnapshot; setAside?: string; droppedTail?: true };

/** What the file needs from the payment book (payments.ts). */
export interface JournaledBook {
  snapshot(): BookSnapshot;
  takeChanges(): BookSnapshot | undefined;
}

function isSnapshot(v: unknown): v is BookSnapshot {
  const b = v as Partial<BookSnapshot> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    b.version === 1 &&
    typeof b.seq === 'number' &&
    Array.isArray(b.payments) &&
    Array.isArray(b.entries) &&
    Array.isArray(b.charges)
  );
}

function parseLine(line: string): BookSnapshot | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return isSnapshot(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The journal's lines applied in order: one book, keyed as snapshot() keys it. */
function merge(lines: readonly BookSnapshot[]): BookSnapshot {
  const payments = new Map<string, BookSnapshot['payments'][number]>();
  const entries = new Map<string, BookSnapshot['entries'][number][1]>();
  const charges = new Map<string, BookSnapshot['charges'][number][1]>();
  let seq = 0;
  for (const line of lines) {
    seq = Math.max(seq, line.seq);
    for (const p of line.payments) payments.set(p.checkoutId, p);
    for (const [id, e] of line.entries) entries.set(id, e);
    for (const [id, c] of line.charges) charges.set(id, c);
  }
  return { version: 1, seq, payments: [...payments.values()], entries: [...entries], charges: [...charges] };
}

/** The saved book; none when the file is missing; set aside when it is not a book. */
export function loadBook(path: string, now: () => number = Date.now): LoadedBook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  const raw = text.split('\n');
  const complete = text.endsWith('\n') || raw.length === 1;
  const lines: BookSnapshot[] = [];
  let droppedTail = false;
  for (const [i, line] of raw.entries()) {
    if (line === '') continue;
    const parsed = parseLine(line);
    if (parsed !== undefined) lines.push(parsed);
    else if (i === raw.length - 1 && !complete && lines.length > 0) droppedTail = true;
    else return setAside(path, now);
  }
  if (lines.length === 0) return setAside(path, now);
  return { book: merge(lines), ...(droppedTail && { droppedTail: true as const }) };
}

/** loadBook, with what it had to do about the file logged. */
export function loadBookLogged(path: string, log: Logger): LoadedBook {
  const loaded = loadBook(path);
  if (loaded.setAside !== undefined) {
    log.warn({ file: loaded.setAside }, 'sandbox book unreadable: set aside, starting a new one');
  }
  if (loaded.droppedTail === true) {
    log.warn({ file: path }, 'sandbox book: a last line cut short (a quit while writing) dropped');
  }
  return loaded;
}

function setAside(path: string, now: () => number): LoadedBook {
  const aside = `${path}.unreadable-${now()}`;
  renameSync(path, aside);
  return { setAside: aside };
}

/** Appends each call's changes; compacts at the first save and when the journal outgrows the book. */
export class BookFile {
  readonly path: string;
  /** Bytes of the whole book at the last compaction, and bytes appended since; none before. */
  #compacted: { book: number; appended: number } | undefined;

  constructor(path: string) {
    this.path = path;
  }

  save(book: JournaledBook): void {
    const changes = book.takeChanges();
    if (changes === undefined && this.#compacted !== undefined) return;
    const c = this.#compacted;
    if (changes === undefined || c === undefined || c.appended > Math.max(MIN_COMPACT_BYTES, c.book)) {
      this.#compact(book.snapshot());
      return;
    }
    const line = `${JSON.stringify(changes)}\n`;
    try {
      appendFileSync(this.path, line);
    } catch (e) {
      // The changes were taken and are not on disk (a full disk, or half a line): the next save
      // writes the whole book again, so they are not lost and no torn line is followed by others.
      this.#compacted = undefined;
      throw e;
    }
    c.appended += Buffer.byteLength(line);
  }

  #compact(whole: BookSnapshot): void {
    const text = `${JSON.stringify(whole)}\n`;
    // Unset until the whole book is on disk: a failed compaction is tried again at the next save.
    this.#compacted = undefined;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.path);
    this.#compacted = { book: Buffer.byteLength(text), appended: 0 };
  }
}
