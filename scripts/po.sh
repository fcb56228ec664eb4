#!/bin/sh
# scripts/po.sh - the operator's messages (lib/core/i18n.h, docs/i18n.md).
#
#   scripts/po.sh pot OUT          the template of every message in lib/ and
#                                  issuer/ but the web service's (serve*.c:
#                                  its pages pick zh/en per request, and it
#                                  answers with messages off; the verifier
#                                  prints English only)
#   scripts/po.sh update LANG...   refreshes po/hourseal.pot and merges it
#                                  into po/LANG.po (make po)
#   scripts/po.sh check LANG...    fails unless po/LANG.po translates every
#                                  message of the sources as they are now
#                                  (no untranslated or fuzzy entry)
#
# The keywords: _ and N_, and the functions that translate their format
# themselves (hs_fail, hs_errprefix, cmd_say) and the macros over them.
set -eu
cd "$(dirname "$0")/.."

pot() {
	# shellcheck disable=SC2046
	xgettext --from-code=UTF-8 --language=C --add-comments=TRANSLATORS: \
	    --package-name=hourseal --msgid-bugs-address=hourseal \
	    --sort-by-file --no-wrap --no-location \
	    --keyword=_ --keyword=N_ \
	    --keyword=hs_fail:3 --flag=hs_fail:3:c-format \
	    --keyword=hs_errprefix:2 --flag=hs_errprefix:2:c-format \
	    --keyword=cmd_say:2 --flag=cmd_say:2:c-format \
	    --keyword=FAIL:2 --flag=FAIL:2:c-format \
	    --keyword=BAD:1 --flag=BAD:1:c-format \
	    --keyword=audit_fail:5 --flag=audit_fail:5:c-format \
	    --keyword=jfail:3 --flag=jfail:3:c-format \
	    --keyword=import_report:3 --flag=import_report:3:c-format \
	    --keyword=cmd_fail:3 \
	    -o "$1" $(ls lib/*/*.c issuer/*.c | grep -v "^issuer/serve" | LC_ALL=C sort)
}

what=${1:-}
[ $# -gt 0 ] && shift
case "$what" in
pot)
	[ $# -eq 1 ] || { echo "usage: scripts/po.sh pot OUT" >&2; exit 2; }
	pot "$1" ;;
update)
	pot po/hourseal.pot
	for l in "$@"; do
		msgmerge --quiet --update --backup=none --no-wrap \
		    --no-location "po/$l.po" po/hourseal.pot
		msgfmt --check --statistics -o /dev/null "po/$l.po"
	done ;;
check)
	t=$(mktemp -d)
	trap 'rm -rf "$t"' EXIT
	pot "$t/hourseal.pot"
	bad=0
	for l in "$@"; do
		msgmerge --quiet --no-wrap --no-fuzzy-matching \
		    -o "$t/$l.po" "po/$l.po" "$t/hourseal.pot"
		msgfmt --check -o /dev/null "$t/$l.po" || bad=1
		stats=$(LC_ALL=C msgfmt --statistics -o /dev/null \
		    "$t/$l.po" 2>&1)
		echo "po/$l.po: $stats"
		case "$stats" in
		*untranslated*|*fuzzy*)
			bad=1
			msgattrib --untranslated --no-wrap "$t/$l.po" |
			    grep '^msgid ' | sed -n '1,20p' | sed 's/^/  untranslated: /'
			msgattrib --only-fuzzy --no-wrap "$t/$l.po" |
			    grep '^msgid ' | grep -v '^msgid ""$' | sed -n '1,20p' | sed 's/^/  fuzzy: /'
			;;
		esac
	done
	exit $bad ;;
*)
	echo "usage: scripts/po.sh pot OUT | update LANG... | check LANG..." >&2
	exit 2 ;;
esac
