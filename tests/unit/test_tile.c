/*
 * test_tile.c - the tile range (which tiles and entry bundles a tree of
 * size N needs) and the "full tiles never change" rule, lib/tlog/tile.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "tlog/tile.h"

/* The range written out by hand: as `hourseal-issuer tiles` wrote it. */
static size_t
naive(uint64_t size, struct tile *out, size_t max)
{
	uint64_t total, k;
	unsigned level;
	int entries;
	size_t n = 0;

	for (entries = 1; entries >= 0; entries--)
		for (level = 0; level <= (entries ? 0u : 7u); level++) {
			total = size >> (8 * level);
			for (k = 0; k * 256 < total; k++) {
				if (n == max)
					return n + 1;
				out[n].entries = entries;
				out[n].level = level;
				out[n].index = k;
				out[n].width = (k + 1) * 256 <= total ? 256 :
				    (unsigned)(total % 256);
				n++;
			}
		}
	return n;
}

#define MAXT 4096

static void
check_size(uint64_t size)
{
	static struct tile want[MAXT];
	struct tile t;
	size_t n = naive(size, want, MAXT), i = 0;
	bool more, same = true;

	for (more = tile_range_first(size, &t); more && i < MAXT;
	    more = tile_range_next(size, &t), i++)
		if (i >= n || t.entries != want[i].entries ||
		    t.level != want[i].level || t.index != want[i].index ||
		    t.width != want[i].width)
			same = false;
	T_OK(same && i == n && !more, "size %llu: %zu tiles, in order",
	    (unsigned long long)size, n);
}

int
main(void)
{
	static const uint64_t sizes[] = {
		0, 1, 2, 255, 256, 257, 511, 512, 65535, 65536, 65537,
		65536 + 256 + 1, 300000,
	};
	const struct {
		struct tile t;
		uint64_t file_size;
		bool keep;
		const char *what;
	} keep[] = {
		{ { false, 0, 0, 256 }, 8192, true, "a full hash tile" },
		{ { false, 2, 7, 256 }, 8192, true, "a full tile of level 2" },
		{ { false, 0, 0, 256 }, 8191, false, "a hash tile one short" },
		{ { false, 0, 0, 256 }, 8193, false, "a hash tile one long" },
		{ { false, 0, 0, 255 }, 255 * 32, false, "a partial hash tile" },
		{ { false, 0, 0, 1 }, 32, false, "a one-hash partial tile" },
		{ { true, 0, 0, 256 }, 512, true, "a bundle of 256 empty entries" },
		{ { true, 0, 0, 256 }, 100000, true, "a full entry bundle" },
		{ { true, 0, 0, 256 }, 511, false, "a bundle too short to be full" },
		{ { true, 0, 0, 255 }, 100000, false, "a partial entry bundle" },
		{ { false, 0, 0, 256 }, 0, false, "an empty file" },
	};
	struct tile t;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_size(sizes[i]);

	T_OK(!tile_range_first(0, &t), "an empty tree needs no tile");
	T_OK(tile_range_first(257, &t) && t.entries && t.index == 0 &&
	    t.width == 256, "257: entry bundle 0 first, full");
	T_OK(tile_range_next(257, &t) && t.entries && t.index == 1 &&
	    t.width == 1, "257: then entry bundle 1, width 1");
	T_OK(tile_range_next(257, &t) && !t.entries && t.level == 0 &&
	    t.index == 0 && t.width == 256, "257: then hash tile 0/0");
	T_OK(tile_range_next(257, &t) && !t.entries && t.level == 0 &&
	    t.index == 1 && t.width == 1, "257: then hash tile 0/1.p/1");
	T_OK(tile_range_next(257, &t) && !t.entries && t.level == 1 &&
	    t.index == 0 && t.width == 1, "257: then hash tile 1/0.p/1");
	T_OK(!tile_range_next(257, &t), "257: and nothing more");
	T_OK(tile_range_first(UINT64_MAX, &t), "the largest tree starts");
	t.entries = false;
	t.level = 7;
	t.index = (UINT64_MAX >> 56) / 256;
	T_OK(!tile_range_next(UINT64_MAX, &t) || t.level == 7,
	    "the largest tree stops at level 7");

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		T_OK(tile_keep(&keep[i].t, keep[i].file_size) == keep[i].keep,
		    "%s: %s", keep[i].what, keep[i].keep ? "kept" :
		    "written again");
	return t_done();
}
