package crypto

import (
	"bytes"
	"crypto/ed25519"
	"github.com/agora-vm/agora/internal/blssig"
	"github.com/agora-vm/agora/internal/testutil"
	"testing"

	"github.com/gtank/ristretto255"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// The fuzz targets feed arbitrary bytes to every decoder and verifier. None
// may panic; where a property relates two operations, it is checked too.

func FuzzDecodeG1(f *testing.F) {
	f.Add(blsKeyFromSeed(1).publicKey())
	f.Add(g1Infinity)
	f.Add(append([]byte{0xe0}, make([]byte, 47)...))
	f.Add(unhex(f, "9a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, ok := blssig.DecodeG1(b)
		if !ok {
			return
		}
		if !p.IsOnCurve() || !p.IsInSubGroup() {
			t.Fatalf("%x decoded off the group", b)
		}
		// Decoding is strict: the point re-encodes to the same bytes.
		if e := p.Bytes(); !bytes.Equal(e[:], b) {
			t.Fatalf("%x re-encodes as %x", b, e)
		}
	})
}

func FuzzDecodeG2(f *testing.F) {
	f.Add(blsKeyFromSeed(1).sign([]byte("m")))
	f.Add(g2Infinity)
	f.Add(append([]byte{0x80}, make([]byte, 95)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, ok := blssig.DecodeG2(b)
		if !ok {
			return
		}
		if !p.IsOnCurve() || !p.IsInSubGroup() {
			t.Fatalf("%x decoded off the group", b)
		}
		if e := p.Bytes(); !bytes.Equal(e[:], b) {
			t.Fatalf("%x re-encodes as %x", b, e)
		}
	})
}

// FuzzBLS runs the BLS entry points on arbitrary keys, signatures and
// messages cut from one input.
func FuzzBLS(f *testing.F) {
	k := blsKeyFromSeed(2)
	msg := []byte("fuzz")
	f.Add(append(append(k.publicKey(), k.sign(msg)...), msg...))
	f.Add(append(append(bytes.Clone(g1Infinity), g2Infinity...), msg...))
	f.Fuzz(func(t *testing.T, b []byte) {
		pk := b[:min(len(b), BLSPublicKeySize)]
		rest := b[len(pk):]
		sig := rest[:min(len(rest), BLSSignatureSize)]
		m := rest[len(sig):]
		code := BLSVerify(pk, m, sig)
		if code > Invalid && code != BadPublicKey && code != BadSignature {
			t.Fatalf("verify code %v", code)
		}
		if fc := BLSFastAggregateVerify([][]byte{pk}, m, sig); fc != code {
			t.Fatalf("fast aggregate verify of one key %v, verify %v", fc, code)
		}
		if ac := BLSAggregateVerify([][]byte{pk}, [][]byte{m}, sig); ac != code {
			t.Fatalf("aggregate verify of one pair %v, verify %v", ac, code)
		}
		if out, c := BLSAggregateSignatures([][]byte{sig}); c == OK && !bytes.Equal(out, sig) {
			t.Fatalf("aggregate of one signature %x", out)
		}
		if out, c := BLSAggregatePublicKeys([][]byte{pk}); c == OK && !bytes.Equal(out, pk) {
			t.Fatalf("aggregate of one key %x", out)
		}
	})
}

func FuzzPedersen(f *testing.F) {
	c, _ := PedersenCommit(scalarLE(3), scalarLE(4))
	f.Add(append(append(c, scalarLE(3)...), scalarLE(4)...))
	f.Add(append(append(bytes.Clone(scalarL), scalarL...), scalarL...))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 96 {
			b = append(b, make([]byte, 96-len(b))...)
		}
		commitment, m, r := b[:32], b[32:64], b[64:96]
		got, code := PedersenCommit(m, r)
		vc := PedersenVerify(commitment, m, r)
		if code == OK {
			if e := ristretto255.NewElement(); e.Decode(got) != nil {
				t.Fatalf("commitment %x does not decode", got)
			}
			if PedersenVerify(got, m, r) != OK {
				t.Fatal("own commitment rejected")
			}
			if (vc == OK) != bytes.Equal(got, commitment) {
				t.Fatalf("verify %v for commitment %x, computed %x", vc, commitment, got)
			}
		} else if code != BadScalar || (vc != BadScalar && vc != BadPoint) {
			t.Fatalf("commit %v, verify %v", code, vc)
		}
	})
}

func FuzzVRFVerify(f *testing.F) {
	ek := newVRFEdwardsKey(f, bytes.Repeat([]byte{1}, 32))
	rk := newVRFRistrettoKey(f, append(bytes.Repeat([]byte{2}, 31), 0))
	alpha := []byte("alpha")
	f.Add(byte(VRFEdwards25519TAI), append(append(bytes.Clone(ek.pk), ek.prove(f, alpha)...), alpha...))
	f.Add(byte(VRFRistretto255), append(append(bytes.Clone(rk.pk), rk.prove(alpha)...), alpha...))
	f.Fuzz(func(t *testing.T, suite byte, b []byte) {
		pk := b[:min(len(b), VRFPublicKeySize)]
		rest := b[len(pk):]
		proof := rest[:min(len(rest), VRFProofSize)]
		a := rest[len(proof):]
		beta, code, err := VRFVerify(VRFSuite(suite), pk, proof, a)
		if err != nil {
			if suite == byte(VRFEdwards25519TAI) || suite == byte(VRFRistretto255) {
				t.Fatalf("suite %#x refused: %v", suite, err)
			}
			return
		}
		if (code == OK) != (len(beta) == VRFOutputSize) || code > BadSignature {
			t.Fatalf("code %v with %d output bytes", code, len(beta))
		}
	})
}

// FuzzEd25519Verify checks Ed25519Verify against crypto/ed25519.Verify on
// arbitrary (mostly corrupted) signatures.
func FuzzEd25519Verify(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32))
	msg := []byte("message")
	f.Add([]byte(priv.Public().(ed25519.PublicKey)), ed25519.Sign(priv, msg), msg)
	f.Add(make([]byte, 32), make([]byte, 64), []byte{})
	f.Fuzz(func(t *testing.T, pk, sig, msg []byte) {
		code := Ed25519Verify(pk, msg, sig)
		if want := stdlibVerify(BatchItem{pk, msg, sig}); (code == OK) != want {
			t.Fatalf("Ed25519Verify %v, crypto/ed25519 %v", code, want)
		}
	})
}

// FuzzSyscalls calls every syscall from an sBPF program with arbitrary
// registers over arbitrary memory: the run ends with a code or a typed
// fault, never a panic, and the charge never exceeds the budget.
func FuzzSyscalls(f *testing.F) {
	k := blsKeyFromSeed(3)
	msg := []byte("m")
	mem := append(append(k.publicKey(), k.sign(msg)...), msg...)
	in := sbpf.InputStart
	f.Add(uint8(0), in, in+48, in+144, uint64(1), uint64(0), mem)
	f.Add(uint8(1), uint64(0), in, uint64(48), in+200, uint64(0), mem)
	f.Add(uint8(2), in, uint64(48), in+48, in+144, uint64(1), mem)
	f.Add(uint8(3), in, uint64(48), in+48, in+144, uint64(1), mem)
	f.Add(uint8(4), in, in+32, in+64, uint64(0), uint64(0), mem)
	f.Add(uint8(5), in, in+32, in+64, uint64(0), uint64(0), mem)
	f.Add(uint8(6), uint64(3), in, in+112, uint64(5), in+120, mem)
	reg := vm.NewRegistry()
	if err := Register(reg); err != nil {
		f.Fatal(err)
	}
	names := Names()
	m := vm.NewMachine()
	f.Fuzz(func(t *testing.T, which uint8, r1, r2, r3, r4, r5 uint64, memory []byte) {
		name := names[int(which)%len(names)]
		exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, testutil.CallProgram(name, [5]uint64{r1, r2, r3, r4, r5}), nil, 0), reg, vm.Config{})
		if err != nil {
			t.Fatal(err)
		}
		const budget = 3_000_000
		res := exe.Run(m, vm.RunOptions{Input: bytes.Clone(memory), Budget: budget})
		if res.CU > budget {
			t.Fatalf("consumed %d of %d", res.CU, budget)
		}
		if res.Err != nil && vm.ErrorKindOf(res.Err) == "" {
			t.Fatalf("untyped fault %v", res.Err)
		}
		if res.Err == nil && res.R0 > uint64(Empty) {
			t.Fatalf("r0 = %d", res.R0)
		}
	})
}
