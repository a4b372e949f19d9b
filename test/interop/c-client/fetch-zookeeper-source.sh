#!/usr/bin/env bash
# Puts the C client of ZooKeeper's Debian source package, with Debian's patches applied, in
# $1 (default /var/tmp/paddock/zookeeper-source/zookeeper-client-c), and its Perl binding
# (Net::ZooKeeper, zookeeper-contrib-zkperl) beside it. The C client's tests/ are ZooKeeper's own
# C client tests, which test/interop/c-client-suite.test.ts builds against the installed
# libzookeeper-mt-dev and runs against Paddock; test/interop/perl-client-suite.test.ts does the
# same with the Perl binding's t/. The version is the installed library's, so the tests match
# the client they link. Needs root (apt), dpkg-dev and the Debian mirror.
set -euo pipefail
target=${1:-/var/tmp/paddock/zookeeper-source/zookeeper-client-c}
version=$(dpkg-query -W -f='${source:Version}' libzookeeper-mt-dev)
perl_target="$(dirname "$target")/zookeeper-contrib-zkperl"
stamp="$target/.debian-version"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && [ -f "$perl_target/ZooKeeper.xs" ]; then
  exit 0
fi

# apt-get source reads deb-src entries; a fresh Debian image lists only binary ones.
if ! apt-get indextargets --format '$(CREATED_BY)' 2>/dev/null | grep -qx Sources; then
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    sed 's/^Types: deb$/Types: deb-src/' "$f" > "/etc/apt/sources.list.d/paddock-src-$(basename "$f")"
  done
  apt-get update -qq
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# _apt cannot write into a root-owned mktemp dir; apt warns and downloads as root instead.
# dpkg-source (dpkg-dev) unpacks it and applies Debian's patches, one of which adds a test.
if ! (cd "$work" && apt-get source -qq "zookeeper=$version" > "$work/apt-get-source.log" 2>&1); then
  cat "$work/apt-get-source.log" >&2
  exit 1
fi
src=$(find "$work" -mindepth 2 -maxdepth 2 -type d -name zookeeper-client -print -quit)
if [ -z "$src" ] || [ ! -f "$src/zookeeper-client-c/tests/TestClient.cc" ]; then
  echo "fetch-zookeeper-source: no zookeeper-client-c/tests in the zookeeper $version source package" >&2
  exit 1
fi
perl_src="$(dirname "$src")/zookeeper-contrib/zookeeper-contrib-zkperl"
if [ ! -f "$perl_src/t/40_basic.t" ]; then
  echo "fetch-zookeeper-source: no zookeeper-contrib-zkperl/t in the zookeeper $version source package" >&2
  exit 1
fi
rm -rf "$target" "$perl_target"
mkdir -p "$(dirname "$target")"
cp -r "$src/zookeeper-client-c" "$target"
cp -r "$perl_src" "$perl_target"
echo "$version" > "$stamp"
echo "fetch-zookeeper-source: ZooKeeper $version's C client sources in $target, its Perl binding in $perl_target"
