#!/bin/sh
# check.sh: rebuilds the C examples into a temporary directory and checks
# that testdata/c holds exactly those bytes, so the committed programs
# match their sources. It installs nothing: it needs make, Go and clang-14
# (CLANG=... picks another clang).
#
# The build is reproducible with a given clang release. If the bytes
# differ, the script also runs the examples' tests against the rebuilt
# programs to tell a stale testdata/c (rebuild and commit it) from a
# different compiler that produces equivalent code. Set
# AGORA_CHECK_LENIENT=1 to accept the latter (exit 0 when the rebuilt
# programs pass the tests).
#
# Exit status: 0 identical (or, lenient, equivalent), 1 different,
# 2 missing tools.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
clang=${CLANG:-clang-14}

for tool in make go "$clang"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "check.sh: $tool not found (Debian/Ubuntu: apt-get install -y make clang-14)" >&2
		exit 2
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

make -s -C "$here" CLANG="$clang" OUT="$tmp/out" BUILD="$tmp/build" >"$tmp/make.log" 2>&1 || {
	cat "$tmp/make.log" >&2
	echo "check.sh: the build failed" >&2
	exit 1
}

status=0
for f in "$tmp"/out/*.so; do
	name=$(basename "$f")
	if [ ! -e "$root/testdata/c/$name" ]; then
		echo "check.sh: testdata/c/$name is missing"
		status=1
	elif ! cmp -s "$f" "$root/testdata/c/$name"; then
		echo "check.sh: testdata/c/$name differs from a rebuild"
		status=1
	fi
done
for f in "$root"/testdata/c/*.so; do
	name=$(basename "$f")
	if [ ! -e "$tmp/out/$name" ]; then
		echo "check.sh: testdata/c/$name has no source in examples/c"
		status=1
	fi
done

if [ "$status" -eq 0 ]; then
	echo "check.sh: testdata/c is identical to a rebuild with $("$clang" --version | head -n 1)"
	exit 0
fi

echo "check.sh: running the examples' tests against the rebuilt programs"
if (cd "$root" && AGORA_C_PROGRAMS="$tmp/out" go test -count=1 ./examples/c/ctest/); then
	echo "check.sh: the rebuilt programs behave as tested; the bytes differ (another clang release, or a stale testdata/c: run make -C examples/c)"
	if [ "${AGORA_CHECK_LENIENT:-}" = 1 ]; then
		exit 0
	fi
else
	echo "check.sh: the rebuilt programs fail the tests"
fi
exit 1
