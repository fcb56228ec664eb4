#!/usr/bin/env bash
# scripts/layers.sh [TOP] - checks that every #include in lib/ names a
# layer at or below the including file's own (design §1):
#
#   core < web < tlog < cert < store < pdf < app
#
# Includes of our headers name their layer ("tlog/note.h"); a bare name is
# allowed only for a private header in the same folder. issuer/ and
# verifier/ sit above every layer but never include each other. Prints one
# "FILE:LINE: ..." line per violation and exits 1 if there is any.
set -u
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 2
layers="core web tlog cert store pdf app"
# Each layer's rank, looked up without a subshell (this runs per include).
declare -A rank_of
i=0
for l in $layers; do
	rank_of[$l]=$i
	i=$((i + 1))
done
bad=0
complain() { echo "$1"; bad=$((bad + 1)); }
files=$(find lib issuer verifier -name '*.[ch]' | sort)
for f in $files; do
	case $f in
	lib/*/*) ;;
	lib/*) complain "$f: lib/ holds only layer folders ($layers)" ;;
	esac
done
# One grep over every file: "FILE:LINE:#include ...".
while IFS=: read -r f line inc; do
	case $f in
	lib/*/*) own=${f#lib/}; own=${own%%/*} ;;
	lib/*) continue ;;
	issuer/*) own=issuer ;;
	verifier/*) own=verifier ;;
	esac
	inc=${inc#*\"}; inc=${inc%%\"*}
	case $inc in
	*/*)
		l=${inc%%/*}
		r=${rank_of[$l]:--1}
		if [ "$r" -lt 0 ]; then
			complain "$f:$line: includes \"$inc\": \"$l\" is not a layer ($layers)"
		elif [ ! -f "lib/$inc" ]; then
			complain "$f:$line: includes \"$inc\", which does not exist"
		elif [ "$own" != issuer ] && [ "$own" != verifier ] &&
		    [ "$r" -gt "${rank_of[$own]:--1}" ]; then
			complain "$f:$line: includes \"$inc\": layer $own may use only layers below it, not $l"
		fi ;;
	*)
		[ -f "${f%/*}/$inc" ] && continue
		complain "$f:$line: includes \"$inc\": name its layer (e.g. \"core/util.h\") or keep it beside $f"
		;;
	esac
done < <(grep -n -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' $files)
if [ "$bad" -gt 0 ]; then
	echo "layers: $bad include(s) break the layer order ($layers)" >&2
	exit 1
fi
echo "layers: ok ($layers)"
