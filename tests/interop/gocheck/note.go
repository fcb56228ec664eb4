package main

// Signed notes (c2sp.org/signed-note) with golang.org/x/mod/sumdb/note.

import (
	"crypto/rand"
	"flag"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/note"
)

func init() {
	register("note", "[-key VKEY]... [-keyfile F.pub]... [-text] NOTEFILE: open a signed note; "+
		"print the verifying keys (and the text with -text)", cmdNote)
	register("genkey", "NAME: print a new signer key and verifier key, one a line", cmdGenkey)
	register("sign", "-skey SKEY TEXTFILE: print TEXTFILE signed as a note", cmdSign)
	register("vkey", "[-keyfile F.pub]... [VKEY]...: parse verifier keys; print name+hash of each", cmdVkey)
}

func cmdVkey(args []string) int {
	fs := flag.NewFlagSet("vkey", flag.ContinueOnError)
	var files keyList
	fs.Var(&files, "keyfile", "file whose first line is a verifier key (repeatable)")
	if err := fs.Parse(args); err != nil {
		return cannot("usage: vkey [-keyfile F]... [VKEY]...")
	}
	all, err := readKeys(fs.Args(), files)
	if err != nil {
		return cannot("%v", err)
	}
	if len(all) == 0 {
		return cannot("usage: vkey [-keyfile F]... [VKEY]...")
	}
	for _, k := range all {
		v, err := note.NewVerifier(k)
		if err != nil {
			return fail("verifier key %q: %v", k, err)
		}
		fmt.Printf("%s+%08x\n", v.Name(), v.KeyHash())
	}
	return 0
}

// openNote opens file with the verifier keys and returns the note.
func openNote(keys []string, file string) (*note.Note, int) {
	var vs []note.Verifier
	for _, k := range keys {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, cannot("verifier key %q: %v", k, err)
		}
		vs = append(vs, v)
	}
	msg, err := os.ReadFile(file)
	if err != nil {
		return nil, cannot("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(vs...))
	if err != nil {
		return nil, fail("%s: %v", file, err)
	}
	return n, 0
}

func cmdNote(args []string) int {
	fs := flag.NewFlagSet("note", flag.ContinueOnError)
	var keys, files keyList
	fs.Var(&keys, "key", "verifier key (repeatable)")
	fs.Var(&files, "keyfile", "file whose first line is a verifier key (repeatable)")
	text := fs.Bool("text", false, "print the signed text")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return cannot("usage: note [-key VKEY]... [-keyfile F]... [-text] NOTEFILE")
	}
	all, err := readKeys(keys, files)
	if err != nil {
		return cannot("%v", err)
	}
	n, rc := openNote(all, fs.Arg(0))
	if rc != 0 {
		return rc
	}
	for _, s := range n.Sigs {
		fmt.Printf("verified %s+%08x\n", s.Name, s.Hash)
	}
	for _, s := range n.UnverifiedSigs {
		fmt.Printf("unknown %s+%08x\n", s.Name, s.Hash)
	}
	if *text {
		fmt.Print(n.Text)
	}
	return 0
}

func cmdGenkey(args []string) int {
	if len(args) != 1 {
		return cannot("usage: genkey NAME")
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, args[0])
	if err != nil {
		return cannot("%v", err)
	}
	fmt.Println(skey)
	fmt.Println(vkey)
	return 0
}

func cmdSign(args []string) int {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	skey := fs.String("skey", "", "signer key PRIVATE+KEY+...")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || *skey == "" {
		return cannot("usage: sign -skey SKEY TEXTFILE")
	}
	s, err := note.NewSigner(*skey)
	if err != nil {
		return cannot("signer key: %v", err)
	}
	text, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return cannot("%v", err)
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, s)
	if err != nil {
		return fail("%v", err)
	}
	os.Stdout.Write(msg)
	return 0
}
