/**
 * `make bench` (install size): what a kiosk stores. The Makefile lays out `make install-tree` under
 * a scratch DESTDIR and passes it here; this prints the whole installed tree, the application
 * directory, its production node_modules and their five largest packages, beside the target
 * (installed tree ≤ 20 MB, issue 12). Printed, not asserted: test/install asserts the same limit.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const TARGET_MIB = 20;
const MIB = 1024 * 1024;

/** Bytes of every regular file below `dir` (symlinks counted as themselves, not followed). */
function bytesBelow(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? bytesBelow(path) : lstatSync(path).size;
  }
  return total;
}

/** Top-level packages (scoped ones as @scope/name) with their sizes. */
function packages(modules: string): [string, number][] {
  const out: [string, number][] = [];
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(modules, entry.name);
    if (entry.name.startsWith('@')) {
      for (const inner of readdirSync(path, { withFileTypes: true })) {
        if (inner.isDirectory())
          out.push([`${entry.name}/${inner.name}`, bytesBelow(join(path, inner.name))]);
      }
    } else out.push([entry.name, bytesBelow(path)]);
  }
  return out.sort((a, b) => b[1] - a[1]);
}

const [destdir, appdir = '/opt/xpos-agent'] = process.argv.slice(2);
if (destdir === undefined) {
  process.stderr.write('usage: install-size.js DESTDIR [APPDIR]\n');
  process.exit(64);
}
const mib = (b: number): string => `${(b / MIB).toFixed(1)} MiB`;
const total = bytesBelow(destdir);
const app = join(destdir, appdir);
const modules = join(app, 'node_modules');
process.stdout.write('install size (make install-tree into a scratch DESTDIR)\n');
process.stdout.write(`  installed tree   ${mib(total)}\n`);
process.stdout.write(`  ${appdir}  ${mib(bytesBelow(app))} (node_modules ${mib(bytesBelow(modules))})\n`);
for (const [name, bytes] of packages(modules).slice(0, 5)) {
  process.stdout.write(`    ${name.padEnd(24)} ${mib(bytes)}\n`);
}
const met = total <= TARGET_MIB * MIB;
process.stdout.write(`  target: installed tree <= ${TARGET_MIB} MiB: ${met ? 'MET' : 'MISSED'}\n`);
