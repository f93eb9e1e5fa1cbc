// `make build`, after tsc: dist/agent/main.js becomes one ES module bundle of our code and the
// pure-JavaScript packages it imports, with a chunk per lazily imported command in
// dist/agent/chunks/. Node 20 has no module compile cache, so every start paid for resolving,
// opening and compiling ~300 small files (zod alone is 95 modules, 64 of them error-message
// locales we never show): bundled, `config check` uses ~35 % less CPU and the daemon reaches READY
// ~35 % sooner (make bench). tsc's per-file output stays beside it in dist/ (the bundle's input).
//
// Packages with a native addon stay in node_modules and are imported from there: a .node file
// cannot be bundled, and these load theirs through node-gyp-build/bindings at run time.
// dist/agent/bundle-inputs.json says which of our files and packages went into which output file
// (test/integration/cli-imports.test.ts uses it to check that each command loads only its own code).
import { build } from 'esbuild';
import { chmodSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const AGENT = 'dist/agent';
const STAGE = 'dist/.bundle';
const EXTERNAL = ['better-sqlite3', 'serialport', '@serialport/*', 'onoff', 'spi-device', 'unix-dgram'];

/**
 * zod's classic API re-exports every locale as `z.locales`; only English (imported on its own) is used.
 * @type {import('esbuild').Plugin}
 */
const noZodLocales = {
  name: 'no-zod-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (a) =>
      a.importer.includes('/node_modules/zod/') ? { path: a.path, namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

rmSync(STAGE, { recursive: true, force: true });
const result = await build({
  entryPoints: { main: join(AGENT, 'main.js') },
  outdir: STAGE,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __xposCreateRequire } from 'node:module'; const require = __xposCreateRequire(import.meta.url);",
  },
  plugins: [noZodLocales],
  // Maps through tsc's own maps back to the TypeScript: stack traces with --enable-source-maps, and
  // tap's coverage of the code the tests run in child processes.
  sourcemap: 'linked',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// A rename replaces a file (main.js and tsc's main.js.map) but not a directory left by a former run.
rmSync(join(AGENT, 'chunks'), { recursive: true, force: true });
renameSync(join(STAGE, 'main.js'), join(AGENT, 'main.js'));
renameSync(join(STAGE, 'main.js.map'), join(AGENT, 'main.js.map'));
// esbuild marks an output with a #! line executable; node runs it, and the package ships it 0644.
chmodSync(join(AGENT, 'main.js'), 0o644);
renameSync(join(STAGE, 'chunks'), join(AGENT, 'chunks'));
if (readdirSync(STAGE).length > 0)
  throw new Error(`bundle: unexpected output in ${STAGE}: ${readdirSync(STAGE).join(', ')}`);
rmSync(STAGE, { recursive: true });

/** @type {Record<string, string[]>} */
const inputs = {};
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  if (file.endsWith('.map')) continue;
  inputs[relative(STAGE, file)] = Object.keys(out.inputs).filter((i) => !i.startsWith('zod-locales:'));
}
writeFileSync(join(AGENT, 'bundle-inputs.json'), `${JSON.stringify(inputs, null, 1)}\n`);
