package crypto

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/agora-vm/agora/internal/blssig"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
)

// The Ethereum consensus BLS12-381 vectors (ethereum/bls12-381-tests, CC0),
// kept in ../shared/conformance/bls12-381. Every file of every relevant
// directory runs, through the Go API and, where a syscall exists for the
// operation, from an sBPF program; an output of null or false must fail.
//
// A vector whose byte string has the wrong length for the fixed layout
// (aggregate_verify_tampered_signature's 8-byte signature, the too-short
// and too-long encodings of deserialization_G1/G2) is still run through
// the syscall: the short string is placed at the very end of the mapped
// memory, so reading the fixed 96 bytes faults (AccessViolation), and a
// length the syscall takes as an argument is refused (InvalidLength). Both
// are failures, as the vector demands.

// blsFiles returns the files of one vector directory, sorted, or skips.
func blsFiles(t *testing.T, dir string) []string {
	t.Helper()
	root := conformanceDir(t)
	if root == "" {
		t.Skip("../shared/conformance not found next to the module root: Ethereum BLS12-381 vectors skipped")
	}
	files, err := filepath.Glob(filepath.Join(root, "bls12-381", dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no vectors in bls12-381/%s", dir)
	}
	sort.Strings(files)
	return files
}

// blsVector reads one file into input and output.
func blsVector(t *testing.T, file string, input any) (output json.RawMessage) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Input  json.RawMessage `json:"input"`
		Output json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(v.Input, input); err != nil {
		t.Fatal(err)
	}
	return v.Output
}

// wantBool decodes a true/false output.
func wantBool(t *testing.T, out json.RawMessage) bool {
	t.Helper()
	var b bool
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatalf("output %s is not a boolean", out)
	}
	return b
}

// wantHex decodes a hex-string output, or nil for null.
func wantHex(t *testing.T, out json.RawMessage) []byte {
	t.Helper()
	if string(out) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("output %s is not a string", out)
	}
	return unhex(t, s)
}

func unhexAll(t *testing.T, ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = unhex(t, s)
	}
	return out
}

// tally counts vectors per directory and outcome for the summary line.
type tally map[string]int

func (c tally) String() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&sb, " %s=%d", k, c[k])
	}
	return sb.String()
}

// putLast lays b out as the last bytes of the arena (after the others), so
// that a fixed-size read of more than len(b) bytes runs off the mapping.
func putLast(a *arena, b []byte) uint64 {
	addr := a.put(b)
	a.Buf = a.Buf[:len(a.Buf):len(a.Buf)]
	return addr
}

// blsFixed lays out b for a syscall that reads exactly size bytes: at the
// end of the arena when it is shorter (the read then faults), else in
// place (a longer string is cut by the read, which the caller accounts
// for).
func blsFixed(a *arena, b []byte, size int) (addr uint64, short bool) {
	if len(b) < size {
		return 0, true
	}
	return a.put(b), false
}

func TestBLSVerifyVectors(t *testing.T) {
	h := newHarness(t)
	count := tally{}
	for _, file := range blsFiles(t, "verify") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var in struct{ Pubkey, Message, Signature string }
			want := wantBool(t, blsVector(t, file, &in))
			pk, msg, sig := unhex(t, in.Pubkey), unhex(t, in.Message), unhex(t, in.Signature)
			code := BLSVerify(pk, msg, sig)
			if (code == OK) != want {
				t.Fatalf("BLSVerify = %v, want valid=%v", code, want)
			}
			if len(pk) != BLSPublicKeySize || len(sig) != BLSSignatureSize {
				t.Fatalf("vector with unexpected lengths %d/%d", len(pk), len(sig))
			}
			var a arena
			p, s, mp := a.put(pk), a.put(sig), a.put(msg)
			expect(t, h.call(&a, bigBudget, NameBLSVerify, p, s, mp, uint64(len(msg))), code, BLSVerifyCost(uint64(len(msg))))
			count[fmt.Sprintf("%v", code)]++
		})
	}
	t.Logf("verify:%v", count)
}

func TestBLSAggregateVectors(t *testing.T) {
	h := newHarness(t)
	for _, file := range blsFiles(t, "aggregate") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var in []string
			want := wantHex(t, blsVector(t, file, &in))
			sigs := unhexAll(t, in)
			got, code := BLSAggregateSignatures(sigs)
			if want == nil {
				if code == OK {
					t.Fatalf("aggregate = %x, want failure", got)
				}
			} else if code != OK || !bytes.Equal(got, want) {
				t.Fatalf("aggregate = %x (%v), want %x", got, code, want)
			}
			var a arena
			in0 := a.put(bytes.Join(sigs, nil))
			out := a.alloc(BLSSignatureSize)
			n := uint64(len(sigs))
			expect(t, h.call(&a, bigBudget, NameBLSAggregate, BLSKindSignatures, in0, n*BLSSignatureSize, out), code, BLSAggregateCost(BLSKindSignatures, n))
			if code == OK && !bytes.Equal(a.at(out, BLSSignatureSize), want) {
				t.Fatalf("syscall wrote %x", a.at(out, BLSSignatureSize))
			}
		})
	}
}

func TestBLSFastAggregateVerifyVectors(t *testing.T) {
	h := newHarness(t)
	count := tally{}
	for _, file := range blsFiles(t, "fast_aggregate_verify") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var in struct {
				Pubkeys            []string
				Message, Signature string
			}
			want := wantBool(t, blsVector(t, file, &in))
			pks, msg, sig := unhexAll(t, in.Pubkeys), unhex(t, in.Message), unhex(t, in.Signature)
			code := BLSFastAggregateVerify(pks, msg, sig)
			if (code == OK) != want {
				t.Fatalf("BLSFastAggregateVerify = %v, want valid=%v", code, want)
			}
			var a arena
			p := a.put(bytes.Join(pks, nil))
			mp := a.put(msg)
			s, short := blsFixed(&a, sig, BLSSignatureSize)
			if short {
				t.Fatal("short signature")
			}
			n := uint64(len(pks))
			expect(t, h.call(&a, bigBudget, NameBLSFastAggregateVerify, p, n*BLSPublicKeySize, s, mp, uint64(len(msg))),
				code, BLSFastAggregateVerifyCost(n, uint64(len(msg))))
			count[fmt.Sprintf("%v", code)]++
		})
	}
	t.Logf("fast_aggregate_verify:%v", count)
}

func TestBLSAggregateVerifyVectors(t *testing.T) {
	h := newHarness(t)
	for _, file := range blsFiles(t, "aggregate_verify") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var in struct {
				Pubkeys, Messages []string
				Signature         string
			}
			want := wantBool(t, blsVector(t, file, &in))
			pks, msgs, sig := unhexAll(t, in.Pubkeys), unhexAll(t, in.Messages), unhex(t, in.Signature)
			code := BLSAggregateVerify(pks, msgs, sig)
			if (code == OK) != want {
				t.Fatalf("BLSAggregateVerify = %v, want valid=%v", code, want)
			}
			var a arena
			p := a.put(bytes.Join(pks, nil))
			md := a.slices(msgs)
			n := uint64(len(pks))
			var nblocks uint64
			for _, m := range msgs {
				nblocks += blocks(uint64(len(m)), blsMessageBlock)
			}
			if len(sig) < BLSSignatureSize {
				// The 8-byte tampered signature sits at the end of memory:
				// the syscall's 96-byte read faults after the n-dependent
				// charge.
				s := putLast(&a, sig)
				expectAbort(t, h.call(&a, bigBudget, NameBLSAggregateVerify, p, n*BLSPublicKeySize, s, md, n), "AccessViolation",
					BLSAggregateVerifyCost(n, 0))
				return
			}
			s := a.put(sig)
			expect(t, h.call(&a, bigBudget, NameBLSAggregateVerify, p, n*BLSPublicKeySize, s, md, n), code, BLSAggregateVerifyCost(n, nblocks))
		})
	}
}

func TestBLSBatchVerifyVectors(t *testing.T) {
	for _, file := range blsFiles(t, "batch_verify") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var in struct{ Pubkeys, Messages, Signatures []string }
			want := wantBool(t, blsVector(t, file, &in))
			pks, msgs, sigs := unhexAll(t, in.Pubkeys), unhexAll(t, in.Messages), unhexAll(t, in.Signatures)
			if len(pks) != len(msgs) || len(pks) != len(sigs) {
				t.Fatal("ragged batch")
			}
			items := make([]BatchItem, len(pks))
			for i := range items {
				items[i] = BatchItem{PublicKey: pks[i], Message: msgs[i], Signature: sigs[i]}
			}
			codes, err := VerifyBLSBatch(context.Background(), items)
			if err != nil {
				t.Fatal(err)
			}
			all := !slices.ContainsFunc(codes, func(c Code) bool { return c != OK })
			if all != want {
				t.Fatalf("batch codes %v, want all valid=%v", codes, want)
			}
			for i, it := range items {
				if one := BLSVerify(it.PublicKey, it.Message, it.Signature); one != codes[i] {
					t.Fatalf("item %d: batch %v, one by one %v", i, codes[i], one)
				}
			}
		})
	}
}

// The deserialization vectors test decoding alone (the identity decodes).
// Through the syscalls they run as a one-element agora_bls_aggregate:
// public keys there must also pass KeyValidate, so the identity key is
// BadPublicKey; signatures come back unchanged; wrong lengths are
// InvalidLength.
func TestBLSDeserializationVectors(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		dir, field string
		size       int
		kind       uint64
		decode     func([]byte) (ok, infinity bool)
		bad        Code
	}{
		{"deserialization_G1", "pubkey", BLSPublicKeySize, BLSKindPublicKeys, func(b []byte) (bool, bool) {
			p, ok := blssig.DecodeG1(b)
			return ok, ok && p.IsInfinity()
		}, BadPublicKey},
		{"deserialization_G2", "signature", BLSSignatureSize, BLSKindSignatures, func(b []byte) (bool, bool) {
			p, ok := blssig.DecodeG2(b)
			return ok, ok && p.IsInfinity()
		}, BadSignature},
	} {
		for _, file := range blsFiles(t, c.dir) {
			t.Run(c.dir+"/"+filepath.Base(file), func(t *testing.T) {
				var in map[string]string
				want := wantBool(t, blsVector(t, file, &in))
				b := unhex(t, in[c.field])
				ok, infinity := c.decode(b)
				if ok != want {
					t.Fatalf("decode = %v, want %v", ok, want)
				}
				var a arena
				p := a.put(b)
				out := a.alloc(c.size)
				r := h.call(&a, bigBudget, NameBLSAggregate, c.kind, p, uint64(len(b)), out)
				switch {
				case len(b) != c.size:
					expectAbort(t, r, "InvalidLength", 0)
				case ok && !(infinity && c.kind == BLSKindPublicKeys):
					expect(t, r, OK, BLSAggregateCost(c.kind, 1))
					if !bytes.Equal(a.at(out, c.size), b) {
						t.Fatalf("aggregate of one = %x", a.at(out, c.size))
					}
				default:
					expect(t, r, c.bad, BLSAggregateCost(c.kind, 1))
				}
			})
		}
	}
}

// The hash_to_G2 vectors are RFC 9380's (appendix J.10.1), with its tag.
func TestBLSHashToG2Vectors(t *testing.T) {
	const dst = "QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_"
	for _, file := range blsFiles(t, "hash_to_G2") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var in struct{ Msg string }
			var out struct{ X, Y string }
			if err := json.Unmarshal(blsVector(t, file, &in), &out); err != nil {
				t.Fatal(err)
			}
			q := blssig.HashToG2([]byte(in.Msg), []byte(dst))
			for _, c := range []struct {
				name string
				want string
				got  [2]fp.Element
			}{{"x", out.X, [2]fp.Element{q.X.A0, q.X.A1}}, {"y", out.Y, [2]fp.Element{q.Y.A0, q.Y.A1}}} {
				parts := strings.Split(c.want, ",")
				if len(parts) != 2 {
					t.Fatalf("%s = %q", c.name, c.want)
				}
				for i, p := range parts {
					b := c.got[i].Bytes()
					if !bytes.Equal(b[:], unhex(t, p)) {
						t.Fatalf("%s[%d] = %x, want %s", c.name, i, b, p)
					}
				}
			}
		})
	}
}

// The sign vectors check the test signer the other tests rely on.
func TestBLSSignVectors(t *testing.T) {
	for _, file := range blsFiles(t, "sign") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var in struct{ Privkey, Message string }
			want := wantHex(t, blsVector(t, file, &in))
			k, ok := blsKeyFromBytes(unhex(t, in.Privkey))
			if want == nil {
				if ok {
					t.Fatal("key accepted, want failure")
				}
				return
			}
			if !ok {
				t.Fatal("key rejected")
			}
			msg := unhex(t, in.Message)
			if got := k.sign(msg); !bytes.Equal(got, want) {
				t.Fatalf("sign = %x, want %x", got, want)
			}
			if code := BLSVerify(k.publicKey(), msg, want); code != OK {
				t.Fatalf("own signature: %v", code)
			}
		})
	}
}
