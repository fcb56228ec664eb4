// Command sm2check checks hourseal's SM2/SM3 note signatures (docs/formats.md
// §5) with Debian's github.com/tjfoc/gmsm/sm2, an implementation independent
// of OpenSSL, and makes SM2 notes for hourseal to open. Built offline by
// tests/interop/build_sm2.sh in GOPATH mode.
//
//	sm2check verify -key VKEY [-uid ID] NOTEFILE
//	    exit 0 if the note's signature line by VKEY's name and key ID
//	    verifies with gmsm's Sm2Verify and the given distinguishing ID
//	    (default 1234567812345678)
//	sm2check sign -name NAME [-uid ID] TEXTFILE
//	    a fresh gmsm key signs TEXTFILE with Sm2Sign; prints the public
//	    point in hex on the first line, then the signed note
//
// The note framing (the blank line, "— name base64(keyID || r || s)") and
// the key encoding (0xff || DER OID 1.2.156.10197.1.501 || 04 X Y, key ID =
// SHA-256(name || 0x0A || K)[:4]) are written here from the format's text,
// not taken from hourseal.
//
// Exit status: 0 valid, 1 invalid, 2 could not check.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"math/big"
	"os"
	"strings"

	"github.com/tjfoc/gmsm/sm2"
)

var tag = []byte{0xff, 0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x83, 0x75}

func cannot(f string, a ...interface{}) int {
	fmt.Fprintf(os.Stderr, "sm2check: "+f+"\n", a...)
	return 2
}

func keyID(name string, k []byte) uint32 {
	h := sha256.Sum256(append(append([]byte(name), '\n'), k...))
	return binary.BigEndian.Uint32(h[:4])
}

func verify(args []string) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	vkey := fs.String("key", "", "verifier key")
	uid := fs.String("uid", "1234567812345678", "distinguishing ID")
	if fs.Parse(args) != nil || fs.NArg() != 1 || *vkey == "" {
		return cannot("usage: verify -key VKEY [-uid ID] NOTEFILE")
	}
	parts := strings.SplitN(*vkey, "+", 3)
	if len(parts) != 3 {
		return cannot("bad verifier key")
	}
	k, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(k) != len(tag)+65 || !bytes.Equal(k[:len(tag)], tag) || k[len(tag)] != 4 {
		return cannot("not an SM2 verifier key")
	}
	if fmt.Sprintf("%08x", keyID(parts[0], k)) != parts[1] {
		return cannot("key ID does not match the key")
	}
	pt := k[len(tag)+1:]
	pub := &sm2.PublicKey{Curve: sm2.P256Sm2(), X: new(big.Int).SetBytes(pt[:32]), Y: new(big.Int).SetBytes(pt[32:])}
	if !pub.Curve.IsOnCurve(pub.X, pub.Y) {
		return cannot("point not on the curve")
	}
	msg, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return cannot("%v", err)
	}
	i := bytes.LastIndex(msg, []byte("\n\n"))
	if i < 0 {
		fmt.Println("invalid: no blank line")
		return 1
	}
	text, sigs := msg[:i+1], string(msg[i+2:])
	found := false
	for _, line := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		f := strings.SplitN(strings.TrimPrefix(line, "— "), " ", 2)
		if len(f) != 2 || f[0] != parts[0] {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(f[1])
		if err != nil || len(raw) != 68 || fmt.Sprintf("%08x", binary.BigEndian.Uint32(raw[:4])) != parts[1] {
			continue
		}
		found = true
		r, s := new(big.Int).SetBytes(raw[4:36]), new(big.Int).SetBytes(raw[36:])
		if !sm2.Sm2Verify(pub, text, []byte(*uid), r, s) {
			fmt.Printf("invalid: gmsm Sm2Verify with uid %q fails\n", *uid)
			return 1
		}
	}
	if !found {
		fmt.Println("invalid: no signature by this key")
		return 1
	}
	fmt.Printf("verified %s+%s with gmsm Sm2Verify, uid %q\n", parts[0], parts[1], *uid)
	return 0
}

func sign(args []string) int {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	name := fs.String("name", "", "key name")
	uid := fs.String("uid", "1234567812345678", "distinguishing ID")
	if fs.Parse(args) != nil || fs.NArg() != 1 || *name == "" {
		return cannot("usage: sign -name NAME [-uid ID] TEXTFILE")
	}
	text, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return cannot("%v", err)
	}
	priv, err := sm2.GenerateKey()
	if err != nil {
		return cannot("%v", err)
	}
	r, s, err := sm2.Sm2Sign(priv, text, []byte(*uid))
	if err != nil {
		return cannot("%v", err)
	}
	pt := make([]byte, 65)
	pt[0] = 4
	priv.PublicKey.X.FillBytes(pt[1:33])
	priv.PublicKey.Y.FillBytes(pt[33:])
	k := append(append([]byte{}, tag...), pt...)
	sig := make([]byte, 68)
	binary.BigEndian.PutUint32(sig, keyID(*name, k))
	r.FillBytes(sig[4:36])
	s.FillBytes(sig[36:])
	fmt.Printf("%s\n%s\n— %s %s\n", hex.EncodeToString(pt), text, *name, base64.StdEncoding.EncodeToString(sig))
	return 0
}

func main() {
	if len(os.Args) < 2 {
		os.Exit(cannot("usage: sm2check verify|sign ..."))
	}
	switch os.Args[1] {
	case "verify":
		os.Exit(verify(os.Args[2:]))
	case "sign":
		os.Exit(sign(os.Args[2:]))
	}
	os.Exit(cannot("unknown subcommand %q", os.Args[1]))
}
