/**
 * The embedded sandbox's payment book on disk (`<state dir>/sandbox-book.json`), so a simulator
 * quit during a pending payment finds that payment again at its next start (the agent's recovery
 * queries it by checkout_id) and payment numbers (PO…, checkout and order ids) never repeat.
 *
 * JSON written whole to a temporary file and renamed over the old one: a crash leaves the old book
 * or the new one, never half of either. It is demo data, a few hundred bytes per payment; a book
 * that cannot be read is set aside (renamed, not deleted) and a new one started.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BookSnapshot } from './payments.js';

export const BOOK_FILE = 'sandbox-book.json';

export type LoadedBook = { book?: BookSnapshot; setAside?: string };

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

/** The saved book; none when the file is missing; set aside when it is not a book. */
export function loadBook(path: string, now: () => number = Date.now): LoadedBook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (isSnapshot(parsed)) return { book: parsed };
  } catch {
    // Not JSON: set aside below, like a book of the wrong shape.
  }
  const aside = `${path}.unreadable-${now()}`;
  renameSync(path, aside);
  return { setAside: aside };
}

/** Writes the book atomically; returns the text written, so an unchanged book is not rewritten. */
export class BookFile {
  readonly path: string;
  #last = '';

  constructor(path: string) {
    this.path = path;
  }

  save(book: BookSnapshot): void {
    const text = JSON.stringify(book);
    if (text === this.#last) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.path);
    this.#last = text;
  }
}
