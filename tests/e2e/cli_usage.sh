#!/usr/bin/env bash
# The issuer's command line from one table (issue 12): every command's
# --help prints its usage on stdout and exits 0; a usage error prints the
# same usage on stderr and exits 2, before the data directory is opened;
# every long option a command's getopt table accepts (issuer/cmd_*.c)
# appears in its usage, and every option its usage names is accepted;
# messages read "hourseal-issuer CMD: ...".
. "$(dirname "$0")/../lib.sh"
scratch
NODATA=$T/no-such-data

# The commands: one issuer/cmd_<name>.c each; the global usage lists
# every one of them, and no other.
cmds=$(cd "$HS_TOP/issuer" && ls cmd_*.c | sed 's/^cmd_//; s/\.c$//')
"$ISSUER" --help >"$T/all" 2>"$T/e"
check "hourseal-issuer --help exits 0" test $? = 0
listed=$(sed -n '/^commands:/,$s/^  hourseal-issuer \([a-z]*\).*/\1/p' "$T/all" |
	sort -u)
check "the global usage lists the $(echo $cmds | wc -w) commands ($(echo $listed | wc -w))" \
	test "$(echo $listed | wc -w)" = "$(echo $cmds | wc -w)"
check "  the same as issuer/cmd_*.c" \
	test "$(echo $listed)" = "$(echo $cmds | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"

# The long options of a command's getopt table(s), one a line.
options() {
	sed -n 's/^[[:space:]]*{ "\([a-z][a-z-]*\)", \(no\|required\|optional\)_argument.*/\1/p' \
		"$HS_TOP/issuer/cmd_$1.c" | sort -u
}

for c in $cmds; do
	"$ISSUER" --data "$NODATA" "$c" --help >"$T/u" 2>"$T/e"
	rc=$?
	check "$c --help: exit 0 ($rc)" test $rc = 0
	check "$c --help: the usage on stdout" \
		grep -q "^usage: hourseal-issuer $c\\b" "$T/u"
	check "$c --help: nothing on stderr" test ! -s "$T/e"
	# Its lines after "usage:", as the global usage has them too.
	sed '1s/^usage: //; s/^ *//' "$T/u" >"$T/lines"
	missing=0
	while IFS= read -r l; do
		grep -qxF "  $l" "$T/all" || missing=1
	done <"$T/lines"
	check "$c: the global usage has the same text" test $missing = 0

	# A usage error: the same text on stderr, exit 2, one message format,
	# and the data directory is not opened (it does not exist).
	"$ISSUER" --data "$NODATA" "$c" --no-such-option >"$T/o" 2>"$T/e"
	rc=$?
	check "$c --no-such-option: exit 2 ($rc)" test $rc = 2
	check "$c --no-such-option: nothing on stdout" test ! -s "$T/o"
	check "$c --no-such-option: stderr has the whole usage" \
		bash -c "tail -n $(wc -l <"$T/u") '$T/e' | cmp -s - '$T/u'"
	check "$c --no-such-option: 'hourseal-issuer $c: ' says why" \
		bash -c "head -1 '$T/e' | grep -q '^hourseal-issuer $c: .*no-such-option'"
	check "$c --no-such-option: the data directory was not opened" \
		bash -c "! grep -q 'data directory\|config.json' '$T/e'"

	# getopt's table against the usage, both ways.
	for o in $(options "$c"); do
		check "$c: --$o (in its getopt table) is in its usage" \
			grep -qE -- "--$o([^a-z-]|\$)" "$T/u"
	done
	for o in $(grep -oE -- '--[a-z][a-z-]*' "$T/u" | sort -u); do
		"$ISSUER" --data "$NODATA" "$c" "$o" >"$T/o" 2>"$T/e"
		check "$c: $o (in its usage) is accepted by getopt" \
			bash -c "! grep -q 'unrecognized option' '$T/e'"
	done
done
check "options() finds the getopt tables (issue has 11, with --dry-run)" \
	test "$(options issue | wc -l)" = 11

# Malformed command lines are usage errors (2), never failures (1).
usage_error() {
	local d=$1; shift
	"$ISSUER" --data "$NODATA" "$@" >"$T/o" 2>"$T/e"
	local rc=$?
	check "$d: exit 2 ($rc)" test $rc = 2
	check "$d: prints the usage" grep -q "^usage: hourseal-issuer $1\\b" "$T/e"
}
usage_error "issue without --out" issue --year 2024 --all
usage_error "issue with both --id and --all" issue --year 2024 --all \
	--id 11010519491231002X --out "$T/o"
usage_error "issue with an extra argument" issue --year 2024 --all \
	--out "$T/o" extra
usage_error "export without --format" export --year 2024
usage_error "export --output without a file" export --year 2024 --format xlsx --output
usage_error "import --sheet without a name" import f.xlsx --sheet
usage_error "list with an extra argument" list extra
usage_error "revoke without --reason" revoke 2024-00000001
usage_error "reissue without --out" reissue 2024-00000001
usage_error "show without a serial" show
usage_error "publish without a directory" publish
usage_error "tiles without a directory" tiles
usage_error "audit with an argument" audit extra
usage_error "summary without --year" summary
usage_error "stamp --all without --account" stamp --all
usage_error "stamp --by (gone: stamp as an account)" stamp --all --by X
usage_error "import without a file" import
usage_error "keygen with two labels" keygen a b
usage_error "key without a subcommand" key
usage_error "key retire without a label" key retire
usage_error "key retire with --alg (only keygen and rotate make keys)" key retire k1 --alg sm2
usage_error "key list with --pkcs11" key list --pkcs11 pkcs11:object=x
usage_error "init with two directories" init a b
usage_error "--max-errors that is not a number" import f --max-errors x
usage_error "activation without --unit, --region or --id-file" activation --pdf "$T/o"
usage_error "activation with both --unit and --region" activation --unit U \
	--region 35 --pdf "$T/o"
usage_error "activation without --pdf or --csv" activation --unit U
usage_error "activation with an ID number as an operand" activation \
	--id-file - --csv "$T/o" 11010519491231002X
check_fails "  the ID number is not echoed" grep -q 11010519491231002X "$T/e"
usage_error "activation --as (gone: --account)" activation --unit U \
	--csv "$T/o" --as X

# Invalid values in a well-formed command line are invalid input (1),
# said in the one format.
"$ISSUER" --data "$NODATA" list --year 20x4 >"$T/o" 2>"$T/e"
rc=$?
check "list --year 20x4: exit 1 ($rc)" test $rc = 1
check "  'hourseal-issuer list: --year: ...'" \
	grep -q "^hourseal-issuer list: --year: '20x4'" "$T/e"
"$ISSUER" --data "$NODATA" summary --year 20x4 >"$T/o" 2>"$T/e"
rc=$?
check "summary --year 20x4: exit 1 ($rc)" test $rc = 1
check "  'hourseal-issuer summary: --year: ...'" \
	grep -q "^hourseal-issuer summary: --year: '20x4'" "$T/e"

# A missing data directory: could not run (2), in the one format.
"$ISSUER" --data "$NODATA" list >"$T/o" 2>"$T/e"
rc=$?
check "list on a missing data directory: exit 2 ($rc)" test $rc = 2
check "  'hourseal-issuer list: ...'" grep -q '^hourseal-issuer list: ' "$T/e"
exit 0
