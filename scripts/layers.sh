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
rank() {
	local i=0 l
	for l in $layers; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo -1
}
bad=0
complain() { echo "$1"; bad=$((bad + 1)); }
for f in $(find lib issuer verifier -name '*.[ch]' | sort); do
	case $f in
	lib/*/*) own=$(echo "$f" | cut -d/ -f2) ;;
	lib/*) complain "$f: lib/ holds only layer folders ($layers)"; continue ;;
	issuer/*) own=issuer ;;
	verifier/*) own=verifier ;;
	esac
	while IFS=: read -r line inc; do
		inc=${inc#*\"}; inc=${inc%%\"*}
		case $inc in
		*/*)
			l=${inc%%/*}
			r=$(rank "$l")
			if [ "$r" -lt 0 ]; then
				complain "$f:$line: includes \"$inc\": \"$l\" is not a layer ($layers)"
			elif [ ! -f "lib/$inc" ]; then
				complain "$f:$line: includes \"$inc\", which does not exist"
			elif [ "$own" != issuer ] && [ "$own" != verifier ] &&
			    [ "$r" -gt "$(rank "$own")" ]; then
				complain "$f:$line: includes \"$inc\": layer $own may use only layers below it, not $l"
			fi ;;
		*)
			[ -f "$(dirname "$f")/$inc" ] && continue
			complain "$f:$line: includes \"$inc\": name its layer (e.g. \"core/util.h\") or keep it beside $f"
			;;
		esac
	done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
done
if [ "$bad" -gt 0 ]; then
	echo "layers: $bad include(s) break the layer order ($layers)" >&2
	exit 1
fi
echo "layers: ok ($layers)"
