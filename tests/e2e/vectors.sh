#!/usr/bin/env bash
# The in-repo copy of the known-answer vectors must equal the shared ones.
. "$(dirname "$0")/../lib.sh"
cd "$HS_TOP"
if [ -d ../shared/vectors ]; then
	check "tests/vectors is an exact copy of ../shared/vectors" \
		diff -r ../shared/vectors/merkle tests/vectors/merkle
	check "vectors README is the shared one" \
		cmp -s ../shared/vectors/README.md tests/vectors/README.md
else
	ok "no ../shared/vectors here; tests use the in-repo copy"
fi
