package solcrypto

import (
	"bytes"
	"errors"
	"github.com/agora-vm/agora/internal/testutil"
	"math/big"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// The fuzz targets feed arbitrary bytes to every decoder. None may panic;
// where a property relates two operations, it is checked too.

func g1Seed() []byte {
	g := g1Mult(3)
	return beG1(&g)
}

func g2Seed() []byte {
	g := g2Mult(3)
	return beG2(&g)
}

func FuzzAltBN128GroupOp(f *testing.F) {
	g1, g2 := g1Seed(), g2Seed()
	f.Add(byte(AltBN128G1Add), append(append([]byte(nil), g1...), g1...), false)
	f.Add(byte(AltBN128G1Mul), append(append([]byte(nil), g1...), 0xff, 0xee), false)
	f.Add(byte(AltBN128Pairing), append(append([]byte(nil), g1...), g2...), true)
	f.Add(byte(AltBN128G2Add), append(append([]byte(nil), g2...), g2...), false)
	f.Add(byte(AltBN128G2Mul|AltBN128LittleEndian), append(append([]byte(nil), g2...), make([]byte, 32)...), false)
	f.Add(byte(AltBN128G1Add), append(make([]byte, 32), 0x40), false)
	f.Fuzz(func(t *testing.T, op byte, input []byte, legacy bool) {
		sel := uint64(op) & (AltBN128LittleEndian | 7)
		out, ok := altBN128GroupOp(sel, input, legacy)
		if !ok {
			return
		}
		want := map[uint64]int{AltBN128G1Add: 64, AltBN128G1Mul: 64, AltBN128Pairing: 32, AltBN128G2Add: 128, AltBN128G2Mul: 128}[sel&^AltBN128LittleEndian]
		if len(out) != want {
			t.Fatalf("op %#x: %d output bytes, want %d", sel, len(out), want)
		}
		le := sel&AltBN128LittleEndian != 0
		switch sel &^ AltBN128LittleEndian {
		case AltBN128G1Add, AltBN128G1Mul:
			// Every G1 result is a valid point in the same encoding.
			in := out
			if !le {
				in = toLE(out, fieldSize)
			}
			if _, ok := decodeG1(in); !ok {
				t.Fatalf("G1 result %x does not decode", out)
			}
		case AltBN128Pairing:
			if !allZero(out[1:31]) || (le && out[31] != 0) || (!le && out[0] != 0) {
				t.Fatalf("pairing result %x", out)
			}
		}
	})
}

func FuzzAltBN128Compression(f *testing.F) {
	g1, g2 := g1Seed(), g2Seed()
	f.Add(byte(AltBN128G1Compress), g1)
	f.Add(byte(AltBN128G1Decompress), g1[:32])
	f.Add(byte(AltBN128G2Compress), g2)
	f.Add(byte(AltBN128G2Decompress), g2[:64])
	f.Add(byte(AltBN128G2Decompress|AltBN128LittleEndian), append(make([]byte, 63), 0x40))
	f.Fuzz(func(t *testing.T, op byte, input []byte) {
		sel := uint64(op) & (AltBN128LittleEndian | 3)
		out, ok := altBN128Compression(sel, input)
		if !ok {
			return
		}
		le := sel & AltBN128LittleEndian
		switch sel &^ AltBN128LittleEndian {
		case AltBN128G1Decompress, AltBN128G2Decompress:
			if allZero(out) {
				return // the identity, from zeros or the infinity flag
			}
			// A decompressed point compresses back to its input.
			back, ok := altBN128Compression((sel&^AltBN128LittleEndian-1)|le, out)
			if !ok || !bytes.Equal(back, input) {
				t.Fatalf("compress(decompress(%x)) = %x, %v", input, back, ok)
			}
		}
	})
}

func FuzzPoseidon(f *testing.F) {
	one := big.NewInt(1).FillBytes(make([]byte, 32))
	f.Add(false, one, byte(1), false)
	f.Add(true, bytes.Repeat(one, 3), byte(3), false)
	f.Add(false, []byte{1, 2, 3}, byte(2), true)
	f.Fuzz(func(t *testing.T, le bool, data []byte, n byte, legacy bool) {
		k := int(n % 14)
		inputs := make([][]byte, k)
		for i := range inputs {
			size := len(data) / max(k, 1)
			inputs[i] = data[i*size : (i+1)*size]
		}
		out, ok := poseidonHash(le, inputs, legacy)
		if ok && (k == 0 || k > 12) {
			t.Fatalf("%d inputs accepted", k)
		}
		if ok && new(big.Int).SetBytes(orderBE(out[:], le)).Cmp(bn254R()) >= 0 {
			t.Fatalf("hash %x is not a field element", out)
		}
	})
}

func orderBE(b []byte, le bool) []byte {
	if le {
		return reversed(b)
	}
	return b
}

func FuzzSecp256k1Recover(f *testing.F) {
	f.Add(make([]byte, 32), uint64(0), bytes.Repeat([]byte{1}, 64))
	f.Add(bytes.Repeat([]byte{0xff}, 32), uint64(3), bytes.Repeat([]byte{0xff}, 64))
	f.Fuzz(func(t *testing.T, hash []byte, recID uint64, sig []byte) {
		if len(hash) < 32 || len(sig) < 64 {
			return
		}
		pub, code := secp256k1Recover(hash[:32], recID, sig[:64])
		switch {
		case code == 0 && recID > 3, code != 0 && code != Secp256k1InvalidRecoveryID && code != Secp256k1InvalidSignature:
			t.Fatalf("code %d for recovery id %d", code, recID)
		case code != 0 && !allZero(pub[:]):
			t.Fatal("a failed recovery returned a key")
		}
	})
}

func FuzzCurve25519(f *testing.F) {
	base, _ := new(big.Int).SetString("6666666666666666666666666666666666666666666666666666666666666658", 16)
	edB := reversed(base.FillBytes(make([]byte, 32)))
	f.Add(byte(0), byte(0), edB, edB)
	f.Add(byte(1), byte(2), append([]byte{2}, make([]byte, 31)...), make([]byte, 32))
	f.Add(byte(0), byte(2), bytes.Repeat([]byte{0xff}, 32), edB)
	f.Fuzz(func(t *testing.T, curve, op byte, left, right []byte) {
		if len(left) < 32 || len(right) < 32 {
			return
		}
		c, o := uint64(curve&1), uint64(op%3)
		l, r := left[:32], right[:32]
		out, ok := curveGroup(c, o, l, r)
		if ok && len(out) != 32 {
			t.Fatalf("result of %d bytes", len(out))
		}
		// The multiscalar path agrees with multiplication for one point.
		if o == CurveOpMul {
			m, mok := multiscalar(c, 1, l, r)
			if mok != ok || !bytes.Equal(m, out) {
				t.Fatalf("msm %x/%v, mul %x/%v", m, mok, out, ok)
			}
		}
		// A result is a valid, canonical point.
		if ok {
			valid := false
			if c == CurveEdwards {
				p, v := decodeEdwards(out)
				valid = v && bytes.Equal(p.Bytes(), out)
			} else {
				_, valid = decodeRistretto(out)
			}
			if !valid {
				t.Fatalf("result %x is not a canonical point", out)
			}
		}
	})
}

func FuzzBigModExp(f *testing.F) {
	f.Add([]byte{3}, []byte{2}, []byte{7})
	f.Add([]byte{}, []byte{}, []byte{0, 1})
	f.Add(bytes.Repeat([]byte{0xff}, 40), []byte{1, 0, 1}, bytes.Repeat([]byte{0xfe}, 33))
	f.Fuzz(func(t *testing.T, base, exp, mod []byte) {
		if len(base) > 128 || len(exp) > 16 || len(mod) > 128 {
			return // the arithmetic is math/big's; keep runs short
		}
		out := bigModExp(base, exp, mod)
		if len(out) != len(mod) {
			t.Fatalf("%d result bytes for a %d-byte modulus", len(out), len(mod))
		}
		m := new(big.Int).SetBytes(mod)
		if m.Cmp(big.NewInt(1)) <= 0 {
			if !allZero(out) {
				t.Fatalf("modulus %v gave %x", m, out)
			}
			return
		}
		// Square-and-multiply, independently of big.Int.Exp.
		want := big.NewInt(1)
		b := new(big.Int).Mod(new(big.Int).SetBytes(base), m)
		for _, by := range exp {
			for bit := 7; bit >= 0; bit-- {
				want.Mul(want, want).Mod(want, m)
				if by>>bit&1 == 1 {
					want.Mul(want, b).Mod(want, m)
				}
			}
		}
		if want.Mod(want, m); !bytes.Equal(want.FillBytes(make([]byte, len(mod))), out) {
			t.Fatalf("%x^%x mod %x = %x, want %x", base, exp, mod, out, want)
		}
	})
}

// FuzzSyscalls calls every syscall from a program with arbitrary registers
// over arbitrary memory: the run must end in a result or a typed error.
func FuzzSyscalls(f *testing.F) {
	f.Add(byte(0), uint64(sbpf.InputStart), uint64(1), uint64(sbpf.InputStart+64), uint64(sbpf.InputStart+128), uint64(0), make([]byte, 256))
	f.Add(byte(2), uint64(AltBN128Pairing), uint64(sbpf.InputStart), uint64(192), uint64(sbpf.InputStart), uint64(0), make([]byte, 192))
	f.Add(byte(7), uint64(sbpf.InputStart), uint64(sbpf.InputStart+48), uint64(0), uint64(0), uint64(0), make([]byte, 96))
	names := []string{NameSecp256k1Recover, NamePoseidon, NameAltBN128GroupOp, NameAltBN128Compress,
		NameCurveValidatePoint, NameCurveGroupOp, NameCurveMultiscalar, NameBigModExp}
	f.Fuzz(func(t *testing.T, which byte, r1, r2, r3, r4, r5 uint64, mem []byte) {
		if len(mem) > 4096 {
			return
		}
		h := newHarness(t, Options{})
		a := arena{testutil.Arena{Buf: append([]byte(nil), mem...)}}
		r := h.call(&a, 200_000, names[int(which)%len(names)], r1, r2, r3, r4, r5)
		var ve *vm.Error
		if r.Err != nil && !errors.As(r.Err, &ve) {
			t.Fatalf("untyped error %v", r.Err)
		}
		if r.CU > 200_000 {
			t.Fatalf("CU %d over the budget", r.CU)
		}
	})
}
