#!/usr/bin/env bash
# Runs the shell examples of README.md (and of docs/*.md) so the
# documentation cannot rot.
#
# Marker convention: a fenced block whose opening line is ```sh (or
# ```bash) and whose line just above is exactly
#     <!-- test -->
# is run; every other block is only shown. (The comment is invisible on
# GitHub and in other renderers.)
#
# All marked blocks of one file run in order, as one bash script with
# `set -e -o pipefail`, in a fresh scratch directory that holds a link to
# the repository's templates/ (so `templates/samples/small.csv` works), with
# the built hourseal-issuer and hourseal-verifier first on PATH. So a block
# may use files that an earlier block of the same file made. Write only
# commands in marked blocks (no "$ " prompts, no output). A command that
# is expected to fail must say so, e.g. `cmd || echo "exit $?"`. Background
# jobs are killed at the end. Each file gets at most READMETEST_TIMEOUT
# seconds (300).
#
# One "ok"/"not ok" line per block, naming FILE:LINE of its fence.
#
# A translation NAME.zh-CN.md (README.zh-CN.md) is kept in step with
# NAME.md: it must have the same ```sh/```bash blocks, marked or not, in
# the same order and marked alike, the same commands but for comments
# (whole-line comments and " # ..." tails may be translated); its marked
# blocks run too, with LANG=zh_CN.UTF-8 (the issuer then speaks Chinese).
. "$(dirname "$0")/../lib.sh"
scratch

mkdir -p "$T/bin"
ln -s "$ISSUER" "$T/bin/hourseal-issuer"
ln -s "$VERIFIER" "$T/bin/hourseal-verifier"

# extract FILE: prints the generated script for FILE's marked blocks; lines
# "#@ LINE" start each block. Exits 3 if a marker is not followed by a
# shell fence, 4 if a fence is not closed.
extract() {
	awk -v file="$1" '
	function fail(code, msg) { print msg > "/dev/stderr"; bad = code; exit code }
	inblock {
		if ($0 ~ /^```[ \t]*$/) { inblock = 0; print "#@end " start; next }
		print; next
	}
	marker {
		marker = 0
		if ($0 ~ /^```(sh|bash)[ \t]*$/) {
			inblock = 1; start = NR; n++
			print "#@ " NR
			next
		}
		fail(3, file ":" NR - 1 ": <!-- test --> is not followed by a ```sh block")
	}
	/^[ \t]*<!--[ \t]*test[ \t]*-->[ \t]*$/ { marker = 1; next }
	END {
		if (bad) exit bad
		if (inblock) fail(4, file ":" start ": the ```sh block is not closed")
		if (marker) fail(3, file ":" NR ": <!-- test --> at the end of the file")
	}' "$1"
}

# blocks FILE: every ```sh/```bash block of FILE, one "@@ LINE marked|shown"
# line before each, its commands without comments and blank lines.
blocks() {
	awk '
	inblock {
		if ($0 ~ /^```[ \t]*$/) { inblock = 0; next }
		line = $0
		if (line ~ /^[ \t]*#/) next
		sub(/[ \t]+#.*$/, "", line)
		sub(/[ \t]+$/, "", line)
		if (line != "") print line
		next
	}
	/^```(sh|bash)[ \t]*$/ {
		inblock = 1
		print "@@ " NR " " (marked ? "marked" : "shown")
		marked = 0
		next
	}
	{ marked = ($0 ~ /^[ \t]*<!--[ \t]*test[ \t]*-->[ \t]*$/) }
	' "$1"
}

# same_blocks EN ZH: ok if ZH has EN's blocks (blocks above); else names
# the first block that differs, by its line in each file.
same_blocks() {
	local en=$1 zh=$2 ne nz
	blocks "$en" >"$T/b.en"
	blocks "$zh" >"$T/b.zh"
	ne=$(grep -c '^@@ ' "$T/b.en")
	nz=$(grep -c '^@@ ' "$T/b.zh")
	if diff <(sed 's/^@@ [0-9]* /@@ /' "$T/b.en") \
	    <(sed 's/^@@ [0-9]* /@@ /' "$T/b.zh") >/dev/null; then
		ok "$(basename "$zh") has the $ne command blocks of $(basename "$en"), in order"
		return
	fi
	# The first block whose text differs, or the first one missing.
	awk -v ne="$(basename "$en")" -v nz="$(basename "$zh")" '
	{ f = FILENAME == ARGV[1] ? 1 : 2 }
	/^@@ / { k[f]++; split($0, a, " "); at[f, k[f]] = a[2]; tag[f, k[f]] = a[3]; next }
	{ body[f, k[f]] = body[f, k[f]] "\n" $0 }
	END {
		n = k[1] > k[2] ? k[1] : k[2]
		for (i = 1; i <= n; i++) {
			if (tag[1, i] == tag[2, i] && body[1, i] == body[2, i])
				continue
			printf "block %d (%s line %s, %s line %s)", i,
			    ne, (i <= k[1] ? at[1, i] : "none"),
			    nz, (i <= k[2] ? at[2, i] : "none")
			if (i > k[1] || i > k[2])
				printf ": missing in one"
			else if (tag[1, i] != tag[2, i])
				printf ": %s in %s, %s in %s", tag[1, i], ne,
				    tag[2, i], nz
			else
				printf ": its commands differ"
			exit
		}
	}' "$T/b.en" "$T/b.zh" >"$T/why"
	notok "$(basename "$zh") is not in step with $(basename "$en") ($ne blocks, $nz): $(cat "$T/why")"
}

if [ -n "${READMETEST_FILES:-}" ]; then         # for tests of this script
	read -r -a files <<<"$READMETEST_FILES"
else
	files=("$HS_TOP/README.md")
	[ -f "$HS_TOP/README.zh-CN.md" ] && files+=("$HS_TOP/README.zh-CN.md")
	for f in "$HS_TOP"/docs/*.md; do [ -f "$f" ] && files+=("$f"); done
fi

for f in "${files[@]}"; do
	case $f in
	*.zh-CN.md)
		if [ -f "${f%.zh-CN.md}.md" ]; then
			same_blocks "${f%.zh-CN.md}.md" "$f"
		else
			notok "$(basename "$f"): no $(basename "${f%.zh-CN.md}.md") beside it"
		fi ;;
	esac
done

for f in "${files[@]}"; do
	name=${f#"$HS_TOP"/}
	name=${name#"${READMETEST_STRIP:-}"}
	if ! body=$(extract "$f" 2>"$T/err"); then
		notok "$name: $(cat "$T/err")"
		continue
	fi
	nblocks=$(grep -c '^#@ ' <<<"$body")
	if [ "$nblocks" -eq 0 ]; then
		[ "$name" = README.md ] &&
			ok "README.md has no blocks marked <!-- test --> yet # SKIP"
		continue
	fi
	dir=$T/run-$(basename "$f" .md)
	mkdir -p "$dir"
	ln -s "$HS_TOP/templates" "$dir/templates"
	# Build the script: a line number for the error trap, an ok line
	# after each block.
	{
		echo 'set -eE -o pipefail'
		echo "trap 'rc=\$?; echo \"not ok - $name:\$__hs_line: failed (exit \$rc): \$BASH_COMMAND\"; kill \$(jobs -p) 2>/dev/null; exit 1' ERR"
		echo '__hs_line=0'
		while IFS= read -r line; do
			case $line in
			'#@ '*)
				echo "__hs_line=${line#\#@ }"
				echo "echo '## $name:${line#\#@ }'" ;;
			'#@end '*)
				echo "echo 'ok - $name:${line#\#@end } ran'" ;;
			*) printf '%s\n' "$line" ;;
			esac
		done <<<"$body"
		echo 'kill $(jobs -p) 2>/dev/null || true'
	} >"$dir/.readme-test.sh"
	# A translation runs in its language.
	loc=()
	case $f in *.zh-CN.md) loc=(-u LC_MESSAGES -u LANGUAGE LANG=zh_CN.UTF-8) ;; esac
	(
		cd "$dir" || exit 1
		env -u HOURSEAL_DATA "${loc[@]}" PATH="$T/bin:$PATH" \
			timeout -k 5 "${READMETEST_TIMEOUT:-300}" \
			bash .readme-test.sh </dev/null 2>&1
	) >"$T/out" 2>&1
	rc=$?
	cat "$T/out"
	if [ "$rc" -ne 0 ] && grep -q 'is not built into this program yet' "$T/out"; then
		notok "$name: $(grep -o "'[a-z]*' is not built" "$T/out" | head -1) yet"
	fi
	n_ok=$(grep -c "^ok - $name:" "$T/out")
	if [ "$rc" -ne 0 ] && ! grep -q "^not ok - $name:" "$T/out"; then
		notok "$name: stopped with exit status $rc after $n_ok of $nblocks blocks"
	elif [ "$rc" -eq 0 ] && [ "$n_ok" -ne "$nblocks" ]; then
		notok "$name: ran $n_ok of $nblocks blocks"
	fi
	[ "$rc" -eq 0 ] && ok "$name: all $nblocks marked blocks ran"
done
