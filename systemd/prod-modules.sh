#!/bin/sh
# The production node_modules for `make install` and `make deb`, built once into a staging
# directory and reused while package.json, the lockfile, this script, Node's ABI and the CPU stay
# the same.
#   systemd/prod-modules.sh STAGE_DIR        (run from the repository root; make passes NPM, NODE)
#
# A copy of the development tree (`make deps` has just built its native modules for THIS machine's
# CPU and Node ABI) pruned of the dev dependencies with `npm prune --omit=dev --offline`: nothing is
# downloaded or compiled a second time. Then everything that never runs is removed (see strip), and
# every package the bundle holds (scripts/prune-bundled.mjs): what stays is the packages
# scripts/external.json names and what they depend on.
# The addons are compiled for this CPU and Node ABI, which is why a package must be built on the
# kiosk's architecture (the Pi, or an arm64 builder) with the Node major it depends on.
#
# Two makes at once (the install and deb tests run in parallel) take turns on a lock; the second
# finds the key matching and copies nothing. `make test` runs it once before the tests.
set -eu

stage=${1:?usage: prod-modules.sh STAGE_DIR}
npm=${NPM:-npm}
node=${NODE:-node}

[ -d node_modules ] || {
  echo "prod-modules: node_modules/ is missing: run make deps first" >&2
  exit 1
}

mkdir -p "$stage"
exec 9>"$stage/.lock"
flock 9

key=$(
  cat package.json package-lock.json "$0" scripts/prune-bundled.mjs scripts/external.mjs scripts/external.json | sha256sum | cut -d' ' -f1
  "$node" -p '`node ABI ${process.versions.modules} ${process.platform}-${process.arch}`'
)
if [ -d "$stage/node_modules" ] && [ -f "$stage/.key" ] && [ "$(cat "$stage/.key")" = "$key" ]; then
  exit 0
fi

# What only builds, documents or type-checks a package; nothing of it is loaded at run time.
strip() {
  nm=$1
  platform=$("$node" -p 'process.platform + "-" + process.arch')
  # Native modules: the C/C++ sources (better-sqlite3's deps/ is the SQLite amalgamation) and the
  # compiler's leftovers (objects, static libraries, makefiles, better-sqlite3's test extension)
  # are most of the size: keep only build/Release/*.node. Only packages with a binding.gyp are
  # touched; a package whose JavaScript lives in build/ is left alone.
  find "$nm" -name binding.gyp -not -path '*/deps/*' | while read -r gyp; do
    pkg=$(dirname "$gyp")
    rm -rf "$pkg/deps" "$pkg/src"
    build=$pkg/build
    if [ -d "$build/Release" ]; then
      find "$build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
      find "$build/Release" -mindepth 1 -maxdepth 1 ! -name '*.node' -exec rm -rf {} +
      rm -f "$build/Release/test_extension.node"
    fi
    # Prebuilt addons (node-gyp-build) for other systems: only this platform's are ever loaded.
    if [ -d "$pkg/prebuilds" ]; then
      find "$pkg/prebuilds" -mindepth 1 -maxdepth 1 ! -name "$platform" ! -name "$platform+*" \
        -exec rm -rf {} +
    fi
  done
  # Tests, examples, benchmarks and docs of every package; the executables' links (.bin).
  find "$nm" -depth -type d \( -name test -o -name tests -o -name __tests__ -o -name docs \
    -o -name example -o -name examples -o -name benchmark -o -name benchmarks -o -name .github \
    -o -name .bin \) -exec rm -rf {} +
  # TypeScript (declarations and zod's sources: Node runs neither), source maps, markdown, and the
  # headers and sources of addons already built. Licences stay.
  find "$nm" -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' \
    -o -name '*.md' -o -name '*.markdown' -o -name '*.h' -o -name '*.hpp' -o -name '*.c' \
    -o -name '*.cc' -o -name '*.cpp' -o -name '*.gyp' -o -name '*.gypi' -o -name '*.tsbuildinfo' \
    -o -name '.eslintrc*' -o -name '.prettierrc*' -o -name '.travis.yml' -o -name '.npmignore' \
    -o -name '.editorconfig' -o -name tsconfig.json \) -delete
  # zod's src/ held only TypeScript; remove what the deletions emptied.
  find "$nm" -mindepth 1 -depth -type d -empty -delete
}

rm -rf "$stage/node_modules" "$stage/.key"
cp package.json package-lock.json "$stage/"
echo "prod-modules: production modules in $stage (a pruned copy of node_modules/)"
cp -a node_modules "$stage/"
(cd "$stage" && "$npm" prune --omit=dev --offline --no-audit --no-fund --loglevel=error)
strip "$stage/node_modules"
# The pure-JavaScript packages run from the bundle (dist/agent/main.js), not from node_modules.
"$node" scripts/prune-bundled.mjs "$stage/node_modules"

# The addons were compiled by whatever node ran npm ci; the package will declare $node's major.
# Refuse a stage that $node cannot load rather than ship a package that fails at its first start.
if ! (cd "$stage" && "$node" -e "new (require('better-sqlite3'))(':memory:').close()") 2>/dev/null; then
  echo "prod-modules: node_modules/ was built for another Node.js than $node ($("$node" -v)):" \
    "put that node first on PATH and run npm rebuild (or rm -rf node_modules; make deps)" >&2
  exit 1
fi

printf '%s\n' "$key" >"$stage/.key"
