package zk

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	kzgbls "github.com/consensys/gnark-crypto/ecc/bls12-381/kzg"
	kzgbn "github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	"github.com/consensys/gnark/backend/witness"
	csbls "github.com/consensys/gnark/constraint/bls12-381"
	csbn "github.com/consensys/gnark/constraint/bn254"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
	"github.com/consensys/gnark/test/unsafekzg"

	groth16bls "github.com/consensys/gnark/backend/groth16/bls12-381"
	groth16bn "github.com/consensys/gnark/backend/groth16/bn254"
	plonkbls "github.com/consensys/gnark/backend/plonk/bls12-381"
	plonkbn "github.com/consensys/gnark/backend/plonk/bn254"
)

// The circuits of the tests: tiny, so that compiling, setting up and
// proving stay in the tens of milliseconds.

// mulCircuit proves knowledge of B with A·B = C for public A and C.
type mulCircuit struct {
	A frontend.Variable `gnark:",public"`
	B frontend.Variable
	C frontend.Variable `gnark:",public"`
}

func (c *mulCircuit) Define(api frontend.API) error {
	api.AssertIsEqual(api.Mul(c.A, c.B), c.C)
	return nil
}

// commitCircuit is mulCircuit with a BSB22 commitment to B (gnark's
// api.Commit), which the verifier checks with extra work.
type commitCircuit struct {
	A frontend.Variable `gnark:",public"`
	B frontend.Variable
	C frontend.Variable `gnark:",public"`
}

func (c *commitCircuit) Define(api frontend.API) error {
	api.AssertIsEqual(api.Mul(c.A, c.B), c.C)
	cmt, err := api.(frontend.Committer).Commit(c.B, c.A)
	if err != nil {
		return err
	}
	api.AssertIsDifferent(cmt, 0)
	return nil
}

// sumCircuit has n public inputs whose sum is the secret S: the benchmarks
// vary n.
type sumCircuit struct {
	X []frontend.Variable `gnark:",public"`
	S frontend.Variable
}

func (c *sumCircuit) Define(api frontend.API) error {
	var acc frontend.Variable = 0
	for _, x := range c.X {
		acc = api.Add(acc, api.Mul(x, x))
	}
	api.AssertIsEqual(acc, c.S)
	return nil
}

func newSum(n int) (circuit, assignment frontend.Circuit) {
	c := &sumCircuit{X: make([]frontend.Variable, n)}
	a := &sumCircuit{X: make([]frontend.Variable, n)}
	s := 0
	for i := range n {
		a.X[i] = i + 2
		s += (i + 2) * (i + 2)
	}
	a.S = s
	return c, a
}

// fixture is a key, a proof and public inputs in the syscall's encoding.
type fixture struct {
	name        string
	scheme      Scheme
	curve       Curve
	vk, proof   []byte // compressed (WriteTo)
	vkRaw       []byte // uncompressed (WriteRawTo)
	proofRaw    []byte
	public      []byte
	commitments uint64
}

func (f *fixture) args() Args {
	return Args{VerifyingKey: f.vk, Proof: f.proof, PublicInputs: f.public}
}

func (f *fixture) inputs() uint64 { return uint64(len(f.public) / ScalarSize) }

// writer is a gnark key or proof.
type writer interface {
	WriteTo(io.Writer) (int64, error)
	WriteRawTo(io.Writer) (int64, error)
}

func serialize(tb testing.TB, v writer) (compressed, raw []byte) {
	tb.Helper()
	var a, b bytes.Buffer
	if _, err := v.WriteTo(&a); err != nil {
		tb.Fatal(err)
	}
	if _, err := v.WriteRawTo(&b); err != nil {
		tb.Fatal(err)
	}
	return a.Bytes(), b.Bytes()
}

// publicBytes is the public part of a witness in the syscall's encoding:
// gnark's witness encoding is nbPublic u32, nbSecret u32, then the vector
// as u32 length and 32-byte big-endian elements.
func publicBytes(tb testing.TB, w witness.Witness) []byte {
	tb.Helper()
	pub, err := w.Public()
	if err != nil {
		tb.Fatal(err)
	}
	b, err := pub.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	return b[12:]
}

func curveID(c Curve) ecc.ID {
	if c == CurveBLS12381 {
		return ecc.BLS12_381
	}
	return ecc.BN254
}

// build compiles circuit, runs the setup and proves assignment.
func build(tb testing.TB, name string, s Scheme, c Curve, circuit, assignment frontend.Circuit, commitments uint64) *fixture {
	tb.Helper()
	field := curveID(c).ScalarField()
	w, err := frontend.NewWitness(assignment, field)
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{name: name, scheme: s, curve: c, public: publicBytes(tb, w), commitments: commitments}
	var vk, proof writer
	if s == Groth16 {
		ccs, err := frontend.Compile(field, r1cs.NewBuilder, circuit)
		if err != nil {
			tb.Fatal(err)
		}
		switch cs := ccs.(type) {
		case *csbn.R1CS:
			var pk groth16bn.ProvingKey
			var v groth16bn.VerifyingKey
			if err := groth16bn.Setup(cs, &pk, &v); err != nil {
				tb.Fatal(err)
			}
			p, err := groth16bn.Prove(cs, &pk, w)
			if err != nil {
				tb.Fatal(err)
			}
			vk, proof = &v, p
		case *csbls.R1CS:
			var pk groth16bls.ProvingKey
			var v groth16bls.VerifyingKey
			if err := groth16bls.Setup(cs, &pk, &v); err != nil {
				tb.Fatal(err)
			}
			p, err := groth16bls.Prove(cs, &pk, w)
			if err != nil {
				tb.Fatal(err)
			}
			vk, proof = &v, p
		}
	} else {
		ccs, err := frontend.Compile(field, scs.NewBuilder, circuit)
		if err != nil {
			tb.Fatal(err)
		}
		// unsafekzg: a test SRS whose toxic waste is known. Tests only.
		srs, lagrange, err := unsafekzg.NewSRS(ccs)
		if err != nil {
			tb.Fatal(err)
		}
		switch cs := ccs.(type) {
		case *csbn.SparseR1CS:
			pk, v, err := plonkbn.Setup(cs, *srs.(*kzgbn.SRS), *lagrange.(*kzgbn.SRS))
			if err != nil {
				tb.Fatal(err)
			}
			p, err := plonkbn.Prove(cs, pk, w)
			if err != nil {
				tb.Fatal(err)
			}
			vk, proof = v, p
		case *csbls.SparseR1CS:
			pk, v, err := plonkbls.Setup(cs, *srs.(*kzgbls.SRS), *lagrange.(*kzgbls.SRS))
			if err != nil {
				tb.Fatal(err)
			}
			p, err := plonkbls.Prove(cs, pk, w)
			if err != nil {
				tb.Fatal(err)
			}
			vk, proof = v, p
		}
	}
	if vk == nil {
		tb.Fatalf("%s: unexpected constraint system", name)
	}
	f.vk, f.vkRaw = serialize(tb, vk)
	f.proof, f.proofRaw = serialize(tb, proof)
	return f
}

// fixtures are built once per test binary and shared by the tests.
var fixtures = sync.OnceValue(func() map[string]*fixture {
	out := map[string]*fixture{}
	tb := &fixtureTB{}
	for _, s := range []Scheme{Groth16, Plonk} {
		for _, c := range []Curve{CurveBN254, CurveBLS12381} {
			name := fmt.Sprintf("%v/%v", s, c)
			out[name] = build(tb, name, s, c, &mulCircuit{}, &mulCircuit{A: 3, B: 11, C: 33}, 0)
			name += "/commit"
			out[name] = build(tb, name, s, c, &commitCircuit{}, &commitCircuit{A: 3, B: 11, C: 33}, 1)
		}
	}
	return out
})

// fixtureTB lets build run outside a test; a failure panics, which fails
// whichever test asked first.
type fixtureTB struct{ testing.TB }

func (*fixtureTB) Helper() {}

func (*fixtureTB) Fatal(args ...any) { panic(fmt.Sprint(args...)) }

func (*fixtureTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func fixtureNamed(t testing.TB, name string) *fixture {
	t.Helper()
	f, ok := fixtures()[name]
	if !ok {
		t.Fatalf("no fixture %q", name)
	}
	return f
}
