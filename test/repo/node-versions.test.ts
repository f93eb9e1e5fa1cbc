/**
 * One statement of the supported Node.js versions: package.json's engines. The code and tests use
 * nothing newer than its lowest version allows (import.meta.dirname/filename came in 20.11), the
 * lockfile and the README say the same, and `make check-node` accepts exactly those versions, naming
 * the one it found and the supported ones otherwise. Versions are faked with a preload that
 * replaces process.version(s) in the node that make runs.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const ENGINES = pkg.engines.node;

type Version = [number, number, number];
/** The caret ranges of engines.node: [major, minor, patch] each is the lowest of. */
const RANGES: Version[] = ENGINES.split('||').map((r) => {
  const m = /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$/.exec(r);
  if (!m) throw new Error(`engines.node: "${r}" is not a ^X.Y.Z range`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
});
const atLeast = (v: Version, min: Version): boolean =>
  v[0] !== min[0] ? v[0] > min[0] : v[1] !== min[1] ? v[1] > min[1] : v[2] >= min[2];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs|cjs)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

t.test('engines allows no Node.js without what the code and tests use', (t) => {
  const users = ['agent', 'drivers', 'config', 'test', 'scripts']
    .flatMap(sources)
    .filter((f) => /import\.meta\.(dirname|filename)/.test(readFileSync(f, 'utf8')));
  t.comment(`import.meta.dirname/filename in ${users.length} file(s)`);
  if (users.length > 0) {
    for (const min of RANGES) {
      t.ok(atLeast(min, [20, 11, 0]), `^${min.join('.')}: import.meta.dirname/filename need Node 20.11+`);
    }
  }
  t.end();
});

t.test('the lockfile and the README state the same versions as engines', (t) => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { engines?: { node?: string } }>;
  };
  t.equal(lock.packages['']?.engines?.node, ENGINES, 'package-lock.json root engines');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const twenty = RANGES.find((r) => r[0] === 20);
  if (twenty !== undefined) {
    t.match(readme, `Supported: Node.js **20** (from 20.${twenty[1]})`);
    const stated = [...readme.matchAll(/(?:from |v)?20\.(\d+)(?:\)| or newer)/g)].map((m) => m[0]);
    t.ok(stated.length > 0, 'the README names the lowest 20.x');
    for (const s of stated) t.match(s, `20.${twenty[1]}`, `README "${s}"`);
  }
  t.end();
});

t.test('make check-node accepts exactly the versions engines accepts', (t) => {
  const dir = t.testdir({
    'fake-version.cjs': `const v = process.env.FAKE_NODE_VERSION;
Object.defineProperty(process, 'version', { value: 'v' + v });
Object.defineProperty(process, 'versions', { value: { ...process.versions, node: v } });
`,
  });
  const preload = join(dir, 'fake-version.cjs');
  const cases: [string, boolean][] = [
    ['18.20.4', false],
    ['20.0.0', false],
    ['20.9.0', false],
    ['20.10.9', false],
    ['20.11.0', true],
    ['20.19.2', true],
    ['21.7.3', false],
    ['22.0.0', true],
    ['22.12.0', true],
    ['23.11.0', false],
    ['24.0.0', true],
    ['24.8.1', true],
    ['25.0.0', false],
    ['26.1.0', false],
  ];
  for (const [version, expected] of cases) {
    const v = version.split('.').map(Number) as Version;
    t.equal(
      RANGES.some((min) => v[0] === min[0] && atLeast(v, min)),
      expected,
      `${version}: this table agrees with engines ${ENGINES}`,
    );
    const r = spawnSync('make', ['-s', '--no-print-directory', 'check-node', `NODE=${process.execPath}`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: `--require ${preload}`, FAKE_NODE_VERSION: version },
    });
    if (expected) {
      t.equal(r.status, 0, `${version} accepted ${r.stderr}`);
    } else {
      t.not(r.status, 0, `${version} refused`);
      t.match(r.stderr, `found v${version}`, 'names the version found');
      t.match(r.stderr, `20 (from 20.11), 22 or 24`, 'names the supported versions');
      t.match(r.stderr, ENGINES, 'and the engines range');
    }
  }
  t.end();
});
