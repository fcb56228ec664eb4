package main

// Checkpoints (c2sp.org/tlog-checkpoint), tiles (c2sp.org/tlog-tiles) and
// receipts (c2sp.org/tlog-proof@v1) with golang.org/x/mod/sumdb/note and
// golang.org/x/mod/sumdb/tlog. Only the Go packages compute hashes and
// proofs here; the little parsing is written from the specs.

import (
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

func init() {
	register("checkpoint", "[-key VKEY]... [-keyfile F]... [-origin O] CHECKPOINT: "+
		"open a signed checkpoint; print origin, size and root", cmdCheckpoint)
	register("tiles", "[-key VKEY]... [-keyfile F]... [-origin O] [-older CHECKPOINT]... "+
		"[-every N] DIR|URL: verify the tile tree under DIR (or served at URL, "+
		"fetched over HTTP as a tile client does) against its checkpoint: "+
		"tree hash, every entry bundle, inclusion of every Nth entry, and "+
		"consistency with each older checkpoint", cmdTiles)
	register("receipt", "[-key VKEY]... [-keyfile F]... [-origin O] RECEIPT ENTRY: "+
		"verify a c2sp.org/tlog-proof@v1 receipt for the entry bytes in file ENTRY", cmdReceipt)
}

type checkpoint struct {
	origin string
	tree   tlog.Tree
}

// parseCheckpoint reads the checkpoint text: origin, size, base64 root,
// then optional non-empty extension lines.
func parseCheckpoint(text string) (checkpoint, error) {
	var cp checkpoint
	if !strings.HasSuffix(text, "\n") {
		return cp, errors.New("checkpoint text does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return cp, errors.New("checkpoint has fewer than 3 lines")
	}
	for _, l := range lines[3:] {
		if l == "" {
			return cp, errors.New("empty extension line")
		}
	}
	cp.origin = lines[0]
	if cp.origin == "" {
		return cp, errors.New("empty origin")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return cp, fmt.Errorf("bad tree size %q", lines[1])
	}
	h, err := tlog.ParseHash(lines[2])
	if err != nil {
		return cp, fmt.Errorf("bad root hash %q", lines[2])
	}
	cp.tree = tlog.Tree{N: n, Hash: h}
	return cp, nil
}

// openCheckpoint opens a signed checkpoint file with the given keys.
func openCheckpoint(keys []string, origin, file string) (checkpoint, int) {
	n, rc := openNote(keys, file)
	if rc != 0 {
		return checkpoint{}, rc
	}
	cp, err := parseCheckpoint(n.Text)
	if err != nil {
		return cp, fail("%s: %v", file, err)
	}
	if origin != "" && cp.origin != origin {
		return cp, fail("%s: origin %q, want %q", file, cp.origin, origin)
	}
	return cp, 0
}

type tlogFlags struct {
	fs     *flag.FlagSet
	keys   keyList
	files  keyList
	origin *string
}

func newTlogFlags(name string) *tlogFlags {
	f := &tlogFlags{fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	f.fs.Var(&f.keys, "key", "verifier key (repeatable)")
	f.fs.Var(&f.files, "keyfile", "file whose first line is a verifier key (repeatable)")
	f.origin = f.fs.String("origin", "", "required checkpoint origin")
	return f
}

func cmdCheckpoint(args []string) int {
	f := newTlogFlags("checkpoint")
	if err := f.fs.Parse(args); err != nil || f.fs.NArg() != 1 {
		return cannot("usage: checkpoint [-key VKEY]... [-keyfile F]... [-origin O] CHECKPOINT")
	}
	keys, err := readKeys(f.keys, f.files)
	if err != nil {
		return cannot("%v", err)
	}
	cp, rc := openCheckpoint(keys, *f.origin, f.fs.Arg(0))
	if rc != 0 {
		return rc
	}
	fmt.Printf("origin %s\nsize %d\nroot %s\n", cp.origin, cp.tree.N, cp.tree.Hash)
	return 0
}

// dirTiles reads c2sp.org/tlog-tiles files: Go names tile (H=8, L, N, W)
// "tile/8/L/N[.p/W]"; the C2SP name drops the height.
type dirTiles struct {
	dir   string
	reads int
}

func (d *dirTiles) Height() int { return 8 }

// isURL: the tiles are served over HTTP(S), not in a directory.
func isURL(base string) bool {
	return strings.HasPrefix(base, "http://") || strings.HasPrefix(base, "https://")
}

// readAt reads the slash-separated path p below base: a directory, or the
// URL of a tile server (c2sp.org/tlog-tiles over HTTP; at most 1 MiB).
func readAt(base, p string) ([]byte, error) {
	if !isURL(base) {
		return os.ReadFile(filepath.Join(base, filepath.FromSlash(p)))
	}
	resp, err := http.Get(strings.TrimSuffix(base, "/") + "/" + p)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", p, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

func (d *dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		p := strings.Replace(t.Path(), "tile/8/", "tile/", 1)
		b, err := readAt(d.dir, p)
		if err != nil {
			return nil, err
		}
		if len(b) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, want %d", p, len(b), t.W*tlog.HashSize)
		}
		d.reads++
		out[i] = b
	}
	return out, nil
}

func (d *dirTiles) SaveTiles([]tlog.Tile, [][]byte) {}

// bundlePath is the C2SP entry bundle path of bundle n of width w.
func bundlePath(n int64, w int) string {
	t := tlog.Tile{H: 8, L: 0, N: n, W: w}
	return strings.Replace(t.Path(), "tile/8/0/", "tile/entries/", 1)
}

// readBundle splits a bundle into its uint16be-length-prefixed entries.
func readBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("truncated length")
		}
		n := int(b[0])<<8 | int(b[1])
		if len(b) < 2+n {
			return nil, errors.New("truncated entry")
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out, nil
}

func cmdTiles(args []string) int {
	f := newTlogFlags("tiles")
	var older keyList
	f.fs.Var(&older, "older", "an older signed checkpoint to prove consistency with (repeatable)")
	every := f.fs.Int64("every", 1, "check the inclusion proof of every Nth entry")
	if err := f.fs.Parse(args); err != nil || f.fs.NArg() != 1 || *every < 1 {
		return cannot("usage: tiles [-key VKEY]... [-keyfile F]... [-origin O] [-older CP]... [-every N] DIR")
	}
	keys, err := readKeys(f.keys, f.files)
	if err != nil {
		return cannot("%v", err)
	}
	dir := f.fs.Arg(0)
	cpath := filepath.Join(dir, "checkpoint")
	if isURL(dir) {
		// The served checkpoint, through a file as the others are.
		b, err := readAt(dir, "checkpoint")
		if err != nil {
			return fail("%v", err)
		}
		tmp, err := os.CreateTemp("", "gocheck-checkpoint-")
		if err != nil {
			return cannot("%v", err)
		}
		defer os.Remove(tmp.Name())
		if _, err := tmp.Write(b); err != nil {
			return cannot("%v", err)
		}
		tmp.Close()
		cpath = tmp.Name()
	}
	cp, rc := openCheckpoint(keys, *f.origin, cpath)
	if rc != 0 {
		return rc
	}
	tree := cp.tree
	dt := &dirTiles{dir: dir}
	thr := tlog.TileHashReader(tree, dt)
	h, err := tlog.TreeHash(tree.N, thr)
	if err != nil {
		return fail("tree hash from tiles: %v", err)
	}
	if h != tree.Hash {
		return fail("tiles give root %s, checkpoint says %s", h, tree.Hash)
	}

	// Every entry bundle: each entry hashes to its level-0 tile hash.
	var entries int64
	for n := int64(0); n*256 < tree.N; n++ {
		w := 256
		if (n+1)*256 > tree.N {
			w = int(tree.N % 256)
		}
		p := bundlePath(n, w)
		b, err := readAt(dir, p)
		if err != nil {
			return fail("%v", err)
		}
		es, err := readBundle(b)
		if err != nil {
			return fail("%s: %v", p, err)
		}
		if len(es) != w {
			return fail("%s: %d entries, want %d", p, len(es), w)
		}
		idx := make([]int64, w)
		for i := range es {
			idx[i] = tlog.StoredHashIndex(0, n*256+int64(i))
		}
		hs, err := thr.ReadHashes(idx)
		if err != nil {
			return fail("%s: level-0 hashes: %v", p, err)
		}
		for i, e := range es {
			x := n*256 + int64(i)
			if tlog.RecordHash(e) != hs[i] {
				return fail("%s: entry %d does not hash to its tile hash", p, x)
			}
			if x%*every == 0 {
				proof, err := tlog.ProveRecord(tree.N, x, thr)
				if err != nil {
					return fail("prove entry %d: %v", x, err)
				}
				if err := tlog.CheckRecord(proof, tree.N, tree.Hash, x, tlog.RecordHash(e)); err != nil {
					return fail("entry %d: %v", x, err)
				}
			}
			entries++
		}
	}

	for _, o := range older {
		old, rc := openCheckpoint(keys, cp.origin, o)
		if rc != 0 {
			return rc
		}
		p, err := tlog.ProveTree(tree.N, old.tree.N, thr)
		if err != nil {
			return fail("prove %d -> %d: %v", old.tree.N, tree.N, err)
		}
		if err := tlog.CheckTree(p, tree.N, tree.Hash, old.tree.N, old.tree.Hash); err != nil {
			return fail("checkpoint %s (size %d) is not consistent with size %d: %v", o, old.tree.N, tree.N, err)
		}
		fmt.Printf("consistent %d -> %d\n", old.tree.N, tree.N)
	}
	fmt.Printf("ok %s size %d: root matches, %d entries in bundles, %d tile reads\n",
		cp.origin, tree.N, entries, dt.reads)
	return 0
}

// parseReceipt splits a c2sp.org/tlog-proof@v1 receipt.
func parseReceipt(b []byte) (index int64, proof tlog.RecordProof, cpNote []byte, err error) {
	rest := b
	next := func() (string, bool) {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return "", false
		}
		l := string(rest[:i])
		rest = rest[i+1:]
		return l, true
	}
	l, ok := next()
	if !ok || l != "c2sp.org/tlog-proof@v1" {
		return 0, nil, nil, errors.New("first line is not c2sp.org/tlog-proof@v1")
	}
	l, ok = next()
	if ok && strings.HasPrefix(l, "extra ") {
		if _, err := base64.StdEncoding.DecodeString(l[6:]); err != nil {
			return 0, nil, nil, errors.New("bad extra line")
		}
		l, ok = next()
	}
	if !ok || !strings.HasPrefix(l, "index ") {
		return 0, nil, nil, errors.New("no index line")
	}
	index, err = strconv.ParseInt(l[6:], 10, 64)
	if err != nil || index < 0 || strconv.FormatInt(index, 10) != l[6:] {
		return 0, nil, nil, fmt.Errorf("bad index %q", l[6:])
	}
	for {
		l, ok = next()
		if !ok {
			return 0, nil, nil, errors.New("no empty line before the checkpoint")
		}
		if l == "" {
			break
		}
		h, err := tlog.ParseHash(l)
		if err != nil {
			return 0, nil, nil, fmt.Errorf("bad proof hash %q", l)
		}
		proof = append(proof, h)
	}
	return index, proof, rest, nil
}

func cmdReceipt(args []string) int {
	f := newTlogFlags("receipt")
	if err := f.fs.Parse(args); err != nil || f.fs.NArg() != 2 {
		return cannot("usage: receipt [-key VKEY]... [-keyfile F]... [-origin O] RECEIPT ENTRY")
	}
	keys, err := readKeys(f.keys, f.files)
	if err != nil {
		return cannot("%v", err)
	}
	b, err := os.ReadFile(f.fs.Arg(0))
	if err != nil {
		return cannot("%v", err)
	}
	entry, err := os.ReadFile(f.fs.Arg(1))
	if err != nil {
		return cannot("%v", err)
	}
	index, proof, cpNote, err := parseReceipt(b)
	if err != nil {
		return fail("%s: %v", f.fs.Arg(0), err)
	}
	tmp, err := os.CreateTemp("", "gocheck-cp-*")
	if err != nil {
		return cannot("%v", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(cpNote); err != nil || tmp.Close() != nil {
		return cannot("writing a temporary file")
	}
	cp, rc := openCheckpoint(keys, *f.origin, tmp.Name())
	if rc != 0 {
		return rc
	}
	if index >= cp.tree.N {
		return fail("index %d is not below the tree size %d", index, cp.tree.N)
	}
	if err := tlog.CheckRecord(proof, cp.tree.N, cp.tree.Hash, index, tlog.RecordHash(entry)); err != nil {
		return fail("entry is not leaf %d of %s size %d: %v", index, cp.origin, cp.tree.N, err)
	}
	fmt.Printf("ok leaf %d of %s size %d\n", index, cp.origin, cp.tree.N)
	return 0
}
