#!/usr/bin/env bash
# The shape of the tree (design §1): `make layers` passes on the tree and
# fails, naming the file and line, on an include that goes up a layer or
# names no layer; `make install` puts binaries and templates under PREFIX,
# and the installed binaries, run from another directory, issue and verify
# a certificate with the installed templates.
. "$(dirname "$0")/../lib.sh"
scratch
top=$HS_TOP

check "scripts/layers.sh passes on this tree" "$top/scripts/layers.sh" "$top"

# A copy of the sources with one wrong include each time.
copy() {
	rm -rf "$T/src"; mkdir -p "$T/src"
	cp -r "$top/lib" "$top/issuer" "$top/verifier" "$T/src/"
}
copy
sed -i '0,/^#include "/s//#include "store\/store.h"\n#include "/' "$T/src/lib/tlog/note.c"
line=$(grep -n '#include "store/store.h"' "$T/src/lib/tlog/note.c" | cut -d: -f1)
"$top/scripts/layers.sh" "$T/src" >"$T/out" 2>&1
check "an upward include (tlog -> store) fails" test $? -ne 0
check "and names the file and line" grep -q "^lib/tlog/note.c:$line: includes \"store/store.h\": layer tlog may use only layers below it, not store" "$T/out"

copy
echo '#include "util.h"' >>"$T/src/lib/cert/serial.c"
check_fails "an include that names no layer fails" "$top/scripts/layers.sh" "$T/src"
copy
echo '#include "cmd.h"' >>"$T/src/verifier/site.c"
check_fails "the verifier including the issuer's header fails" "$top/scripts/layers.sh" "$T/src"
copy
mkdir -p "$T/src/lib/misc"; echo 'int x;' >"$T/src/lib/misc/x.c"; echo '#include "misc/x.h"' >>"$T/src/lib/app/import.c"
check_fails "a folder that is not a layer fails" "$top/scripts/layers.sh" "$T/src"

# make install, then the installed binaries from somewhere else.
dest=$T/dest
make -s -C "$top" install DESTDIR="$dest" PREFIX=/usr >"$T/install.log" 2>&1
check "make install DESTDIR PREFIX=/usr" test $? -eq 0
bin=$dest/usr/bin share=$dest/usr/share/hourseal
check "binaries installed" test -x "$bin/hourseal-issuer" -a -x "$bin/hourseal-verifier"
check "templates installed" test -f "$share/templates/annual.json" -a -f "$share/templates/policy/fujian.json"
mkdir -p "$T/elsewhere"
(
	cd "$T/elsewhere" || exit 1
	unset HOURSEAL_TEMPLATES HOURSEAL_DATA
	"$bin/hourseal-issuer" init --policy fujian d --issuer 测试中心 --origin ledger.example.cn/t \
	    --base-url https://v.example.cn --keys d/keys &&
	"$bin/hourseal-issuer" --data d keygen --no-passphrase &&
	"$bin/hourseal-issuer" --data d import "$top/templates/samples/small.csv" \
	    --skip-invalid rej.csv &&
	make_account d hr35 hr 35 福州市人社局 &&
	"$bin/hourseal-issuer" --data d stamp --all --account hr35 &&
	"$bin/hourseal-issuer" --data d issue --year 2024 --all --out out
) >"$T/inst.out" 2>&1
check "the installed issuer issues from another directory" test $? -eq 0
check "its data directory uses the installed templates" \
    grep -q "\"templates_dir\": *\"$share/templates\"" "$T/elsewhere/d/config.json"
pdf=$(ls "$T"/elsewhere/out/2024/*.pdf 2>/dev/null | head -1)
check "a certificate was written" test -n "$pdf"
(cd "$T/elsewhere" && "$bin/hourseal-verifier" check "$pdf" --key d/keys/*.pub) >"$T/chk.out" 2>&1
check "the installed verifier checks it offline" test $? -eq 0
make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
check "make uninstall removes them" test ! -e "$bin/hourseal-issuer" -a ! -e "$share"
