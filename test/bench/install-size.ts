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

/**
 * Disk usage below `dir` as du counts it (512-byte blocks, directories included, symlinks not
 * followed): what the card loses, and what test/install asserts. `apparent` sums file lengths.
 */
function bytesBelow(dir: string, apparent = false): number {
  const self = lstatSync(dir);
  let total = apparent ? 0 : self.blocks * 512;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += bytesBelow(path, apparent);
    else {
      const st = lstatSync(path);
      total += apparent ? st.size : st.blocks * 512;
    }
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
process.stdout.write(
  `  installed tree   ${mib(total)} on disk (file contents ${mib(bytesBelow(destdir, true))})\n`,
);
process.stdout.write(`  ${appdir}  ${mib(bytesBelow(app))} (node_modules ${mib(bytesBelow(modules))})\n`);
for (const [name, bytes] of packages(modules).slice(0, 5)) {
  process.stdout.write(`    ${name.padEnd(24)} ${mib(bytes)}\n`);
}
const met = total <= TARGET_MIB * MIB;
process.stdout.write(`  target: installed tree <= ${TARGET_MIB} MiB: ${met ? 'MET' : 'MISSED'}\n`);
