package zk

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	groth16bn "github.com/consensys/gnark/backend/groth16/bn254"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

var fixtureNames = []string{
	"groth16/bn254", "groth16/bn254/commit",
	"groth16/bls12-381", "groth16/bls12-381/commit",
	"plonk/bn254", "plonk/bn254/commit",
	"plonk/bls12-381", "plonk/bls12-381/commit",
}

func TestRegister(t *testing.T) {
	r := vm.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{NameGroth16Verify, NamePlonkVerify} {
		if got, ok := r.Name(sbpf.SyscallHash(name)); !ok || got != name {
			t.Fatalf("%s not registered (got %q)", name, got)
		}
	}
	if err := Register(r); err == nil || !strings.Contains(err.Error(), "collides") {
		t.Fatalf("second Register: %v", err)
	}
	if n := len(r.Syscalls()); n != 2 {
		t.Fatalf("%d syscalls after a failed Register", n)
	}
	r2 := vm.NewRegistry()
	r2.MustRegister(NamePlonkVerify, func(*vm.Machine, uint64, uint64, uint64, uint64, uint64) (uint64, error) { return 0, nil })
	if err := Register(r2); err == nil || len(r2.Syscalls()) != 1 {
		t.Fatalf("Register over a taken name: %v, %d syscalls", err, len(r2.Syscalls()))
	}
	if err := Register(nil); err == nil {
		t.Fatal("Register(nil) succeeded")
	}
}

func TestErrorKinds(t *testing.T) {
	for k := KindInvalidCurve; k <= KindPublicInputCount; k++ {
		e := &Error{Kind: k, Arg: argKey, Msg: "m", Err: errors.New("inner")}
		if strings.HasPrefix(k.String(), "ErrorKind(") || !strings.HasPrefix(e.Error(), k.String()+": verifying key: m: inner") {
			t.Fatalf("kind %d: %q / %q", k, k, e.Error())
		}
		if vm.ErrorKindOf(&vm.Error{Kind: vm.SyscallError, Err: e}) != k.String() {
			t.Fatalf("kind %v not reported through the VM", k)
		}
		if !errors.Is(e, &Error{Kind: k}) || errors.Is(e, &Error{Kind: k + 1}) {
			t.Fatalf("kind %v: errors.Is", k)
		}
	}
	if ErrorKind(99).String() != "ErrorKind(99)" || Curve(7).String() != "Curve(7)" || Scheme(9).String() != "Scheme(9)" {
		t.Fatal("unknown values")
	}
}

// TestVerifyFromProgram verifies gnark proofs of every scheme and curve,
// with and without a BSB22 commitment, compressed and raw, from an sBPF
// program, and checks the exact CU.
func TestVerifyFromProgram(t *testing.T) {
	reg := newRegistry(t)
	for _, name := range fixtureNames {
		t.Run(name, func(t *testing.T) {
			f := fixtureNamed(t, name)
			price := Price(f.scheme, f.curve, f.inputs(), f.commitments)
			if price == 0 {
				t.Fatal("no price")
			}
			expect(t, verifyIn(t, reg, f, f.args(), bigBudget), Valid, price)
			expect(t, verifyIn(t, reg, f, Args{f.vkRaw, f.proofRaw, f.public}, bigBudget), Valid, price)
			expect(t, verifyIn(t, reg, f, Args{f.vk, f.proofRaw, f.public}, bigBudget), Valid, price)

			// A public input changed: 3·11 = 33 becomes 4·11 = 33.
			bad := bytes.Clone(f.public)
			bad[ScalarSize-1]++
			expect(t, verifyIn(t, reg, f, Args{f.vk, f.proof, bad}, bigBudget), Invalid, price)
			// The inputs swapped.
			swapped := append(bytes.Clone(f.public[ScalarSize:]), f.public[:ScalarSize]...)
			expect(t, verifyIn(t, reg, f, Args{f.vk, f.proof, swapped}, bigBudget), Invalid, price)

			if ok, err := Verify(f.scheme, f.curve, f.args()); !ok || err != nil {
				t.Fatalf("Verify: %v, %v", ok, err)
			}
			if ok, err := Verify(f.scheme, f.curve, Args{f.vk, f.proof, bad}); ok || err != nil {
				t.Fatalf("Verify of a bad input: %v, %v", ok, err)
			}

			// Too little budget: the call fails when it charges, having
			// used everything.
			r := verifyIn(t, reg, f, f.args(), price+callOverhead-2)
			if !errors.Is(r.Err, vm.ErrComputeBudgetExceeded) || r.CU != price+callOverhead-2 {
				t.Fatalf("short budget: %v, cu %d", r.Err, r.CU)
			}
		})
	}
}

// TestProofOfAnotherShape: a proof with a commitment against a key without
// one (and the reverse) decodes but is not valid.
func TestProofOfAnotherShape(t *testing.T) {
	reg := newRegistry(t)
	for _, name := range []string{"groth16/bn254", "plonk/bn254", "groth16/bls12-381", "plonk/bls12-381"} {
		plain, commit := fixtureNamed(t, name), fixtureNamed(t, name+"/commit")
		expect(t, verifyIn(t, reg, plain, Args{plain.vk, commit.proof, plain.public}, bigBudget), Invalid,
			Price(plain.scheme, plain.curve, 2, 0))
		expect(t, verifyIn(t, reg, commit, Args{commit.vk, plain.proof, commit.public}, bigBudget), Invalid,
			Price(commit.scheme, commit.curve, 2, 1))
	}
	// A proof from another setup of the same circuit.
	a := fixtureNamed(t, "groth16/bn254")
	b := build(t, "again", Groth16, CurveBN254, &mulCircuit{}, &mulCircuit{A: 3, B: 11, C: 33}, 0)
	expect(t, verifyIn(t, reg, a, Args{a.vk, b.proof, a.public}, bigBudget), Invalid, Price(Groth16, CurveBN254, 2, 0))
	expect(t, verifyIn(t, reg, a, Args{b.vk, b.proof, a.public}, bigBudget), Valid, Price(Groth16, CurveBN254, 2, 0))
}

func withByte(b []byte, i int, v byte) []byte {
	c := bytes.Clone(b)
	c[i] = v
	return c
}

func TestMalformedFromProgram(t *testing.T) {
	reg := newRegistry(t)
	g := fixtureNamed(t, "groth16/bn254")
	p := fixtureNamed(t, "plonk/bn254")
	gPrice := Price(Groth16, CurveBN254, 2, 0)
	pPrice := Price(Plonk, CurveBN254, 2, 0)

	t.Run("curve", func(t *testing.T) {
		a := &arena{}
		addr := a.args(g.args())
		expectAbort(t, call(t, reg, a, bigBudget, NameGroth16Verify, 2, addr), "InvalidCurve", 0)
		expectAbort(t, call(t, reg, a, bigBudget, NamePlonkVerify, 1<<63, addr), "InvalidCurve", 0)
	})
	t.Run("pointers", func(t *testing.T) {
		a := &arena{}
		a.args(g.args())
		expectAbort(t, call(t, reg, a, bigBudget, NameGroth16Verify, 0, 0x10), "AccessViolation", 0)
		// The block is mapped but its last byte is not.
		expectAbort(t, call(t, reg, a, bigBudget, NameGroth16Verify, 0, sbpf.InputStart+uint64(len(a.buf))-ArgsSize+1), "AccessViolation", 0)
		// A slice runs past the input.
		vk := a.put(g.vk)
		blk := a.block(vk, 1<<20, vk, 1, vk, 0)
		expectAbort(t, call(t, reg, a, bigBudget, NameGroth16Verify, 0, blk), "AccessViolation", 0)
	})
	cases := []struct {
		name   string
		f      *fixture
		args   Args
		kind   string
		charge uint64
	}{
		{"public length", g, Args{g.vk, g.proof, g.public[:40]}, "InvalidEncoding", 0},
		{"public not canonical", g, Args{g.vk, g.proof, append(fr.Modulus().FillBytes(make([]byte, 32)), g.public[32:]...)}, "InvalidEncoding", 0},
		{"too many inputs", g, Args{g.vk, g.proof, make([]byte, (MaxPublicInputs+1)*ScalarSize)}, "InvalidLength", 0},
		{"one input short", g, Args{g.vk, g.proof, g.public[:32]}, "PublicInputCount", 0},
		{"one input over", p, Args{p.vk, p.proof, append(bytes.Clone(p.public), make([]byte, 32)...)}, "PublicInputCount", 0},
		{"empty key", g, Args{nil, g.proof, g.public}, "InvalidEncoding", 0},
		{"key truncated", g, Args{g.vk[:len(g.vk)-1], g.proof, g.public}, "InvalidEncoding", 0},
		{"key trailing", g, Args{append(bytes.Clone(g.vk), 0), g.proof, g.public}, "InvalidEncoding", 0},
		{"proof trailing", p, Args{p.vk, append(bytes.Clone(p.proof), 0), p.public}, "InvalidEncoding", 0},
		{"proof truncated", p, Args{p.vk, p.proof[:len(p.proof)-1], p.public}, "InvalidEncoding", 0},
		{"K length huge", g, Args{withByte(g.vk, 288, 0xff), g.proof, g.public}, "InvalidEncoding", 0},
		{"plonk version", p, Args{withByte(p.vk, 15, 2), p.proof, p.public}, "InvalidEncoding", 0},
		// Structurally sound, rejected by the curve checks after the charge.
		{"alpha off the curve", g, Args{withByte(g.vkRaw, 63, g.vkRaw[63]^1), g.proof, g.public}, "InvalidEncoding", gPrice},
		{"Ar off the curve", g, Args{g.vk, withByte(g.proofRaw, 63, g.proofRaw[63]^1), g.public}, "InvalidEncoding", gPrice},
		{"Bs not in G2", g, Args{g.vk, g2OutsideSubgroup(t, g.proofRaw), g.public}, "InvalidEncoding", gPrice},
		{"plonk lines", p, Args{plonkLinesFlipped(t, p.vk), p.proof, p.public}, "InvalidEncoding", pPrice},
		{"plonk claimed value not canonical", p, Args{p.vk, plonkClaimedValueOverflow(t, p.proofRaw), p.public}, "InvalidEncoding", pPrice},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectAbort(t, verifyIn(t, reg, c.f, c.args, bigBudget), c.kind, c.charge)
			ok, err := Verify(c.f.scheme, c.f.curve, c.args)
			if ok || vm.ErrorKindOf(err) != c.kind {
				t.Fatalf("Verify: %v, %v", ok, err)
			}
		})
	}
}

// g2OutsideSubgroup replaces Bs of a raw BN254 Groth16 proof with a point
// on the twist that is not in G2.
func g2OutsideSubgroup(t *testing.T, proofRaw []byte) []byte {
	t.Helper()
	var u bn254.E2
	u.A0.SetUint64(5)
	q := bn254.MapToCurve2(&u)
	if !q.IsOnCurve() || q.IsInSubGroup() {
		t.Fatal("no point outside the subgroup")
	}
	raw := q.RawBytes()
	out := bytes.Clone(proofRaw)
	copy(out[bn254.SizeOfG1AffineUncompressed:], raw[:])
	return out
}

// plonkLinesFlipped changes one limb of the key's stored pairing lines.
func plonkLinesFlipped(t *testing.T, vk []byte) []byte {
	t.Helper()
	// The lines end 4 + 8·c bytes before the end; c = 0 here.
	i := len(vk) - 4 - bn254Params.linesSize + 100
	return withByte(vk, i, vk[i]^1)
}

// plonkClaimedValueOverflow sets the first claimed value of a raw PLONK
// proof to the field order.
func plonkClaimedValueOverflow(t *testing.T, proofRaw []byte) []byte {
	t.Helper()
	off := 8*bn254.SizeOfG1AffineUncompressed + 4
	out := bytes.Clone(proofRaw)
	copy(out[off:], fr.Modulus().FillBytes(make([]byte, 32)))
	return out
}

// TestTruncations: every prefix and every one-byte extension of each
// encoding is rejected with a typed error, never a panic or a valid
// answer.
func TestTruncations(t *testing.T) {
	for _, name := range fixtureNames {
		f := fixtureNamed(t, name)
		for _, which := range []int{0, 1} {
			full := [][]byte{f.vk, f.proof}[which]
			for n := range len(full) {
				a := f.args()
				if which == 0 {
					a.VerifyingKey = full[:n]
				} else {
					a.Proof = full[:n]
				}
				ok, err := Verify(f.scheme, f.curve, a)
				if ok || vm.ErrorKindOf(err) != "InvalidEncoding" {
					t.Fatalf("%s: %d of %d bytes of arg %d: %v, %v", name, n, len(full), which, ok, err)
				}
			}
		}
	}
}

// TestGroth16CommittedWireRange: a key whose commitment names a wire the
// verifier does not have is rejected before gnark indexes with it.
func TestGroth16CommittedWireRange(t *testing.T) {
	f := fixtureNamed(t, "groth16/bn254/commit")
	var vk groth16bn.VerifyingKey
	if _, err := vk.ReadFrom(bytes.NewReader(f.vk)); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{0, 3, 1 << 40} {
		vk.PublicAndCommitmentCommitted = [][]int{{w}}
		var buf bytes.Buffer
		if _, err := vk.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		ok, err := Verify(Groth16, CurveBN254, Args{buf.Bytes(), f.proof, f.public})
		if ok || vm.ErrorKindOf(err) != "InvalidEncoding" || !strings.Contains(err.Error(), "wire") {
			t.Fatalf("wire %d: %v, %v", w, ok, err)
		}
	}
}

func TestVerifyArguments(t *testing.T) {
	f := fixtureNamed(t, "groth16/bn254")
	if _, err := Verify(Groth16, Curve(2), f.args()); vm.ErrorKindOf(err) != "InvalidCurve" {
		t.Fatal(err)
	}
	if _, err := Verify(Scheme(5), CurveBN254, f.args()); err == nil {
		t.Fatal("unknown scheme accepted")
	}
	// The wrong curve for the key: its encoding does not parse there.
	if ok, err := Verify(Groth16, CurveBLS12381, f.args()); ok || err == nil {
		t.Fatalf("bn254 key on bls12-381: %v, %v", ok, err)
	}
}

func TestPrice(t *testing.T) {
	for _, s := range []Scheme{Groth16, Plonk} {
		for _, c := range []Curve{CurveBN254, CurveBLS12381} {
			p := priceOf(s, c)
			if p.base == 0 || p.perInput == 0 || p.perCommitment == 0 {
				t.Fatalf("%v/%v: unpriced %+v", s, c, p)
			}
			if Price(s, c, 3, 2) != p.base+3*p.perInput+2*p.perCommitment {
				t.Fatalf("%v/%v: Price", s, c)
			}
			if Price(s, c, 1<<63, 1<<63) != 1<<64-1 {
				t.Fatalf("%v/%v: Price does not saturate", s, c)
			}
		}
	}
	costs := Costs()
	if len(costs) != 8 {
		t.Fatalf("%d rows", len(costs))
	}
	for _, c := range costs {
		if c.Syscall == "" || c.Op == "" || c.PerUnit == 0 || c.Unit == "" || c.Formula == "" {
			t.Fatalf("row %+v", c)
		}
	}
	if costs[0].Base != CostGroth16BN254Base || costs[0].PerUnit != CostGroth16BN254PerInput ||
		costs[1].PerUnit != CostGroth16BN254PerCommitment || costs[7].PerUnit != CostPlonkBLS12381PerCommitment {
		t.Fatal("rows out of order")
	}
	if itoa(0) != "0" || itoa(1234567) != "1,234,567" || itoa(999) != "999" {
		t.Fatal("itoa")
	}
}

// TestSnarkJS verifies the committed snarkjs/circom proof (see
// testdata/snarkjs/README.md) through the converter and the syscall.
func TestSnarkJS(t *testing.T) {
	vkJSON, proofJSON, publicJSON := snarkjsFiles(t)
	reg := newRegistry(t)
	f := &fixture{scheme: Groth16, curve: CurveBN254}
	price := Price(Groth16, CurveBN254, 2, 0)
	for _, raw := range []bool{false, true} {
		vk, proof, public, err := ConvertSnarkJSWith(vkJSON, proofJSON, publicJSON, ConvertOptions{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		want := []byte{}
		for _, v := range []int64{33, 3} { // public.json: c, then a
			want = append(want, big.NewInt(v).FillBytes(make([]byte, 32))...)
		}
		if !bytes.Equal(public, want) {
			t.Fatalf("public inputs %x", public)
		}
		expect(t, verifyIn(t, reg, f, Args{vk, proof, public}, bigBudget), Valid, price)
		// Tampered public inputs: c = 34, or a = 4.
		for _, i := range []int{31, 63} {
			bad := withByte(public, i, public[i]+1)
			expect(t, verifyIn(t, reg, f, Args{vk, proof, bad}, bigBudget), Invalid, price)
		}
		_, _, public2, err := ConvertSnarkJSWith(vkJSON, proofJSON, []byte(`["34", "3"]`), ConvertOptions{Raw: raw})
		if err != nil {
			t.Fatal(err)
		}
		expect(t, verifyIn(t, reg, f, Args{vk, proof, public2}, bigBudget), Invalid, price)
	}
	// A key alone.
	vk, proof, public, err := ConvertSnarkJS(vkJSON, nil, nil)
	if err != nil || len(vk) == 0 || proof != nil || public != nil {
		t.Fatalf("key alone: %v", err)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Curve{"bn254": CurveBN254, "BN128": CurveBN254, "alt_bn128": CurveBN254, "0": CurveBN254,
		"bls12-381": CurveBLS12381, "BLS12_381": CurveBLS12381, "bls12381": CurveBLS12381, "1": CurveBLS12381} {
		if got, err := ParseCurve(in); err != nil || got != want {
			t.Fatalf("ParseCurve(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseCurve("secp256k1"); err == nil {
		t.Fatal("unknown curve parsed")
	}
	for in, want := range map[string]Scheme{"groth16": Groth16, "Groth16": Groth16, "PLONK": Plonk} {
		if got, err := ParseScheme(in); err != nil || got != want {
			t.Fatalf("ParseScheme(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseScheme("fflonk"); err == nil {
		t.Fatal("unknown scheme parsed")
	}
	for _, c := range []Curve{CurveBN254, CurveBLS12381} {
		if got, _ := ParseCurve(c.String()); got != c {
			t.Fatalf("%v does not round-trip", c)
		}
	}
	for _, s := range []Scheme{Groth16, Plonk} {
		if got, _ := ParseScheme(s.String()); got != s {
			t.Fatalf("%v does not round-trip", s)
		}
	}
}
