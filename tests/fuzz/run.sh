#!/bin/sh
# Builds the libFuzzer targets tests/fuzz/fuzz_*.c with clang (ASan, UBSan)
# against the library sources and runs each for SECONDS (default 60).
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]   (from the top directory)
# Seeds: tests/fuzz/seeds/<target>/ if present. Findings go to build/fuzz/.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
out=$top/build/fuzz
mkdir -p "$out"
# core/xlsx.c needs libzip and libxml2, core/p11.c p11-kit, store/report.c
# libxlsxwriter.
cflags="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -I$top/lib $(pkg-config --cflags openssl sqlite3 jansson libzip libxml-2.0 xlsxwriter p11-kit-1)"
libs="$(pkg-config --libs openssl sqlite3 jansson libsodium libzip libxml-2.0 xlsxwriter p11-kit-1) -lm"
targets=${*:-$(cd "$top/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//')}
for t in $targets; do
	# The library layers a target links: the ones without the PDF
	# renderer (design §1), unless its header names others:
	#  * fuzz-layers: core tlog cert store app
	layers=$(sed -n 's/^ \* fuzz-layers: //p' "$top/tests/fuzz/$t.c")
	srcs=""
	for l in ${layers:-core tlog cert store}; do
		srcs="$srcs $(ls "$top"/lib/$l/*.c)"
	done
	# A target may name more sources and packages in its header comment:
	#  * fuzz-sources: verifier/x.c ...      * fuzz-pkgs: libqpdf zlib
	extra=$(sed -n 's/^ \* fuzz-sources: //p' "$top/tests/fuzz/$t.c")
	pkgs=$(sed -n 's/^ \* fuzz-pkgs: //p' "$top/tests/fuzz/$t.c")
	xsrc=""
	for x in $extra; do xsrc="$xsrc $top/$x"; done
	xflags="" xlibs=""
	if [ -n "$pkgs" ]; then
		xflags="-I$top/verifier $(pkg-config --cflags $pkgs)"
		xlibs="$(pkg-config --libs $pkgs)"
	fi
	clang $cflags $xflags -o "$out/$t" "$top/tests/fuzz/$t.c" $srcs $xsrc $libs $xlibs -DHS_TEMPLATES_DIR=\"\" 2>&1 | grep -v warning || true
	mkdir -p "$out/$t.corpus"
	seeds=$top/tests/fuzz/seeds/${t#fuzz_}
	[ -d "$seeds" ] && cp -n "$seeds"/* "$out/$t.corpus/" 2>/dev/null || true
	echo "== $t ($secs s)"
	(cd "$out" && "./$t" -max_total_time="$secs" -max_len=65536 "$t.corpus")
done
