// `make build`, after tsc: dist/agent/main.js becomes one ES module bundle of our code and the
// pure-JavaScript packages it imports, with a chunk per lazily imported command in
// dist/agent/chunks/. Node 20 has no module compile cache, so every start paid for resolving,
// opening and compiling ~300 small files (zod alone is 95 modules, 64 of them error-message
// locales we never show): bundled, `config check` uses ~35 % less CPU and the daemon reaches READY
// ~35 % sooner (make bench). tsc's per-file output stays beside it in dist/ (the bundle's input).
//
// Packages with a native addon stay in node_modules and are loaded from there: a .node file
// cannot be bundled, and these load theirs through node-gyp-build/bindings at run time. So does
// iconv-lite, which the agent loads only when it first encodes (drivers/gb-encode.ts): bundled,
// its 500 KB of code tables would be compiled at every start.
// dist/agent/bundle-inputs.json says which of our files and packages went into which output file,
// and which packages stay outside (test/integration/cli-imports.test.ts uses it to check that
// each command loads only its own code, and only those packages from node_modules).
import { build } from 'esbuild';
import { chmodSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { EXTERNAL } from './external.mjs';

const AGENT = 'dist/agent';
const STAGE = 'dist/.bundle';

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

/**
 * An `import` of a CommonJS package makes Node 20 read and lex its source (and every file it
 * re-exports) to guess named exports, and an `import` of a Node module builds an ES module facade
 * copying all its exports: together ~40 ms of CPU at each daemon start. Native packages and Node's
 * own modules are therefore loaded with require() (the banner's), behind a one-line CommonJS module
 * of the bundle's own; esbuild's interop gives the importer the same default and named exports.
 * @type {import('esbuild').Plugin}
 */
const nativeByRequire = {
  name: 'native-by-require',
  setup(b) {
    const native = new RegExp(
      `^(node:.+|(${EXTERNAL.map((e) => e.replace('/*', '/[^/]+')).join('|')})(/.*)?)$`,
    );
    // Only static imports: esbuild gives a dynamic import() of a CommonJS module nothing but a
    // default export, so `await import('onoff')` stays a real import (named exports and all).
    // One such module per importing file: shared by several commands, one would become a chunk
    // of its own (a file to resolve and load at start, for one line); require() caches anyway.
    b.onResolve({ filter: native }, (a) =>
      a.kind === 'import-statement'
        ? { path: a.path, namespace: 'native', pluginData: a.importer, suffix: `?from=${a.importer}` }
        : { path: a.path, external: true },
    );
    b.onLoad({ filter: /.*/, namespace: 'native' }, (a) => ({
      contents: `module.exports = require(${JSON.stringify(a.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * got's type checks (@sindresorhus/is) build two Intl.ListFormat at load, for one error message
 * got shows only on bad options. Building one makes ICU match every locale it has: ~6 MB more RSS
 * for the daemon's life (make bench: memory). They are built when that message is first made. The
 * build fails if the text changes (a new version), rather than silently keeping the cost.
 * @type {import('esbuild').Plugin}
 */
const lazyListFormat = {
  name: 'lazy-list-format',
  setup(b) {
    b.onLoad({ filter: /\/node_modules\/@sindresorhus\/is\/distribution\/index\.js$/ }, async (a) => {
      const source = await readFile(a.path, 'utf8');
      const eager = /^const (andFormatter|orFormatter) = (new Intl\.ListFormat\([^;]*\));$/gm;
      const lazy = source.replace(eager, (_, name, make) => {
        const cache = `${name}Made`;
        return `let ${cache}; const ${name} = { format: (list) => (${cache} ??= ${make}).format(list) };`;
      });
      if ((source.match(eager) ?? []).length !== 2)
        throw new Error(
          `${a.path}: its two Intl.ListFormat lines changed; update lazyListFormat in scripts/bundle.mjs`,
        );
      return { contents: lazy, loader: 'js' };
    });
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
  plugins: [noZodLocales, nativeByRequire, lazyListFormat],
  // Maps through tsc's own maps back to the TypeScript: stack traces with --enable-source-maps, and
  // tap's coverage of the code the tests run in child processes.
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
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
const outputs = {};
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  if (file.endsWith('.map')) continue;
  outputs[relative(STAGE, file)] = Object.keys(out.inputs).filter(
    (i) => !i.startsWith('zod-locales:') && !i.startsWith('native:'),
  );
}
const manifest = { external: EXTERNAL, outputs };
writeFileSync(join(AGENT, 'bundle-inputs.json'), `${JSON.stringify(manifest, null, 1)}\n`);
