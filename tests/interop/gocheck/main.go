// Command gocheck checks hourseal's output with Go's own implementations
// (golang.org/x/mod/sumdb/note and tlog, from Debian's
// golang-golang-x-mod-dev), so our formats are tested against an
// independent reader. It is built by tests/interop/build.sh, offline.
//
// Usage: gocheck SUBCOMMAND [flags] [args]
//
// Exit status: 0 valid, 1 invalid, 2 could not check (usage, I/O).
//
// Subcommands register themselves in the commands map from init()
// functions, one file per topic (note.go here; checkpoints, receipts and
// tiles go in their own files), so several people can add to it.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

type command struct {
	usage string
	run   func(args []string) int
}

var commands = map[string]command{}

func register(name, usage string, run func(args []string) int) {
	if _, dup := commands[name]; dup {
		panic("gocheck: subcommand registered twice: " + name)
	}
	commands[name] = command{usage, run}
}

// keyList is a repeatable -key flag.
type keyList []string

func (k *keyList) String() string     { return strings.Join(*k, ",") }
func (k *keyList) Set(s string) error { *k = append(*k, s); return nil }

// readKeys returns the -key values plus the first line of each -keyfile.
func readKeys(keys, files []string) ([]string, error) {
	out := append([]string(nil), keys...)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		line := strings.TrimSuffix(strings.SplitN(string(b), "\n", 2)[0], "\r")
		out = append(out, line)
	}
	return out, nil
}

func fail(format string, args ...interface{}) int {
	fmt.Fprintf(os.Stderr, "gocheck: "+format+"\n", args...)
	return 1
}

func cannot(format string, args ...interface{}) int {
	fmt.Fprintf(os.Stderr, "gocheck: "+format+"\n", args...)
	return 2
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: gocheck SUBCOMMAND [flags] [args]")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %s %s\n", n, commands[n].usage)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		usage()
		os.Exit(2)
	}
	os.Exit(c.run(os.Args[2:]))
}
