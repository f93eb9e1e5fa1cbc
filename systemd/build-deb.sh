#!/bin/sh
# make deb: the tree `make install-tree` lays out (standard paths, whatever the caller's PREFIX),
# plus control files from systemd/deb/, packed by dpkg-deb for this machine's architecture.
# Run from the repository root by make, which passes MAKE (a command line), NODE, DEBDIR,
# DEB_MAINTAINER and DEB_COMPRESS (gzip, xz, zstd or none).
#
# The native addons inside are built for this CPU and this Node major: an amd64 package will not
# run on a Pi, and one built with Node 20 will not load under Node 22. Depends pins the major.
set -eu

make=${MAKE:-make}
node=${NODE:-node}
outdir=${DEBDIR:-dist-deb}
maintainer=${DEB_MAINTAINER:?DEB_MAINTAINER is empty}
compress=${DEB_COMPRESS:-gzip}

version=$("$node" -p 'JSON.parse(require("fs").readFileSync("package.json", "utf8")).version')
arch=$(dpkg --print-architecture)
major=$("$node" -p 'process.versions.node.split(".")[0]')
# The lowest version package.json's engines accepts in that major (20: 20.11, for import.meta.dirname).
lowest=$("$node" -p 'const e = JSON.parse(require("fs").readFileSync("package.json", "utf8")).engines.node;
  const r = e.split("||").map((x) => x.trim().replace(/^\^/, "")).find((v) => v.split(".")[0] === process.argv[1]);
  if (r === undefined) throw new Error("package.json engines has no range for Node " + process.argv[1]);
  r.replace(/(\.0)+$/, "")' "$major")
depends="nodejs (>= $lowest), nodejs (<< $((major + 1))), systemd"

umask 022
work=$(mktemp -d "${TMPDIR:-/tmp}/xpos-agent-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
root=$work/root

$make -s --no-print-directory install-tree DESTDIR="$root" \
  PREFIX=/usr BINDIR=/usr/bin UNITDIR=/usr/lib/systemd/system SYSUSERSDIR=/usr/lib/sysusers.d \
  UDEVRULESDIR=/usr/lib/udev/rules.d APPDIR=/opt/xpos-agent SYSCONFDIR=/etc NODE_BIN=/usr/bin/node

# Every directory 0755 whatever umask the copied files came with (mktemp makes the root 0700).
find "$root" -type d -exec chmod 0755 {} +

mkdir -m 0755 "$root/DEBIAN"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
  xargs -0 md5sum) >"$root/DEBIAN/md5sums"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$maintainer|" \
  -e "s|@INSTALLED_SIZE@|$size|" -e "s|@DEPENDS@|$depends|" systemd/deb/control.in >"$root/DEBIAN/control"
install -m 0644 systemd/deb/conffiles "$root/DEBIAN/conffiles"
install -m 0755 systemd/deb/postinst systemd/deb/prerm systemd/deb/postrm "$root/DEBIAN/"
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control"

mkdir -p "$outdir"
deb=$outdir/xpos-agent_${version}_${arch}.deb
# Built beside the target and renamed: a reader never sees half a package.
part=$deb.part.$$
trap 'rm -rf "$work" "$part"' EXIT
dpkg-deb --root-owner-group -Z"$compress" --build "$root" "$part" >/dev/null
mv -f "$part" "$deb"
echo "$deb"
