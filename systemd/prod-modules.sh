#!/bin/sh
# The production node_modules for `make install` and `make deb`, built once into a staging
# directory and reused while package.json, the lockfile, Node's ABI and the CPU stay the same.
#   systemd/prod-modules.sh STAGE_DIR        (run from the repository root; make passes NPM, NODE)
#
# npm ci --omit=dev from the lockfile, in a directory holding only package.json and the lockfile:
# npm takes that directory as the project, so package.json's allowScripts is the policy that lets
# exactly the native modules build. The addons are compiled for THIS machine's CPU and Node ABI,
# which is why a package must be built on the kiosk's architecture (the Pi, or an arm64 builder).
#
# Two makes at once (the install and deb tests run in parallel) take turns on a lock; the second
# finds the key matching and copies nothing.
set -eu

stage=${1:?usage: prod-modules.sh STAGE_DIR}
npm=${NPM:-npm}
node=${NODE:-node}

mkdir -p "$stage"
exec 9>"$stage/.lock"
flock 9

key=$(
  cat package.json package-lock.json | sha256sum | cut -d' ' -f1
  "$node" -p '`node ABI ${process.versions.modules} ${process.platform}-${process.arch}`'
)
if [ -d "$stage/node_modules" ] && [ -f "$stage/.key" ] && [ "$(cat "$stage/.key")" = "$key" ]; then
  exit 0
fi

rm -rf "$stage/node_modules" "$stage/.key"
cp package.json package-lock.json "$stage/"
echo "prod-modules: npm ci --omit=dev in $stage (native modules compile here: about a minute)"
(cd "$stage" && "$npm" ci --omit=dev --no-audit --no-fund)

# Compiler leftovers of the addons (objects, static libraries, makefiles, better-sqlite3's test
# extension) are half the size and never loaded: keep only build/Release/*.node. Only packages
# with a binding.gyp are touched; a package whose JavaScript lives in build/ is left alone.
find "$stage/node_modules" -name binding.gyp -not -path '*/deps/*' | while read -r gyp; do
  build=$(dirname "$gyp")/build
  [ -d "$build/Release" ] || continue
  find "$build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
  find "$build/Release" -mindepth 1 -maxdepth 1 ! -name '*.node' -exec rm -rf {} +
  rm -f "$build/Release/test_extension.node"
done

printf '%s\n' "$key" >"$stage/.key"
