// Removes from a production node_modules every package the bundle already holds: only the
// packages scripts/external.json names (left outside the bundle) and what they depend on, less
// what only builds their addons at install time, are loaded from node_modules at run time
// (test/integration/cli-imports.test.ts asserts it for the daemon, and the install test runs a
// sale from the installed tree).
//   node scripts/prune-bundled.mjs NODE_MODULES_DIR
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { argv, exit, stderr, stdout } from 'node:process';
import { BUILD_ONLY, isExternal } from './external.mjs';

const [nmArg] = argv.slice(2);
if (nmArg === undefined) {
  stderr.write('usage: prune-bundled.mjs NODE_MODULES_DIR\n');
  exit(64);
}
const nm = nmArg;

/** Top-level package names: `name` and `@scope/name`. */
function topLevel() {
  /** @type {string[]} */
  const names = [];
  for (const d of readdirSync(nm)) {
    if (d.startsWith('.')) continue;
    if (d.startsWith('@')) for (const s of readdirSync(join(nm, d))) names.push(`${d}/${s}`);
    else names.push(d);
  }
  return names;
}

/** Where Node would find `dep` required from the package in `dir`: its own node_modules, then up. */
/**
 * @param {string} dep
 * @param {string} dir
 * @returns {string | undefined}
 */
function resolve(dep, dir) {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', dep);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (relative(nm, d).startsWith('..') || d === dirname(d)) return undefined;
  }
}

/** @type {Set<string>} */
const keep = new Set();
const todo = topLevel()
  .filter(isExternal)
  .map((n) => join(nm, n));
while (todo.length > 0) {
  const dir = todo.pop();
  if (dir === undefined || keep.has(dir)) continue;
  keep.add(dir);
  /** @type {unknown} */
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const pkg =
    /** @type {{ dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }} */ (
      manifest
    );
  const optional = pkg.optionalDependencies ?? {};
  const deps = { ...pkg.dependencies, ...optional };
  for (const dep of Object.keys(deps)) {
    if (BUILD_ONLY.includes(dep)) continue;
    const found = resolve(dep, dir);
    // An optional dependency npm skipped (another platform) is simply absent.
    if (found !== undefined) todo.push(found);
    else if (!(dep in optional)) {
      stderr.write(`prune-bundled: ${relative(nm, dir)} needs ${dep}, which is not installed\n`);
      exit(1);
    }
  }
}

/** @type {string[]} */
const removed = [];
for (const name of topLevel()) {
  const dir = join(nm, name);
  if (keep.has(dir)) continue;
  rmSync(dir, { recursive: true, force: true });
  removed.push(name);
}
for (const d of readdirSync(nm)) {
  if (d.startsWith('@') && readdirSync(join(nm, d)).length === 0) rmSync(join(nm, d), { recursive: true });
}
rmSync(join(nm, '.package-lock.json'), { force: true });
const kept = [...keep].map((d) => relative(nm, d).split(sep).join('/')).sort();
stdout.write(
  `prune-bundled: kept ${kept.length} packages (${kept.join(' ')}); ${removed.length} are in the bundle\n`,
);
