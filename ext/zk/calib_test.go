package zk

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agora-vm/agora/internal/timing"
	"github.com/consensys/gnark/frontend"
)

var update = flag.Bool("update", false, "regenerate the calibration proofs in calib/")

// sumCommitCircuit is sumCircuit with a BSB22 commitment to the sum.
type sumCommitCircuit struct {
	X []frontend.Variable `gnark:",public"`
	S frontend.Variable
}

func (c *sumCommitCircuit) Define(api frontend.API) error {
	if err := (&sumCircuit{X: c.X, S: c.S}).Define(api); err != nil {
		return err
	}
	cmt, err := api.(frontend.Committer).Commit(c.S)
	if err != nil {
		return err
	}
	api.AssertIsDifferent(cmt, 0)
	return nil
}

// TestCalibrationFiles checks that every calibration case verifies at its
// price from a program, and with -update first makes them anew.
func TestCalibrationFiles(t *testing.T) {
	if *update {
		for _, s := range []Scheme{Groth16, Plonk} {
			for _, c := range []Curve{CurveBN254, CurveBLS12381} {
				for _, sh := range benchShapes {
					circuit, assignment := newSum(int(sh.inputs))
					if sh.commitments == 1 {
						a := assignment.(*sumCircuit)
						circuit = &sumCommitCircuit{X: make([]frontend.Variable, sh.inputs)}
						assignment = &sumCommitCircuit{X: a.X, S: a.S}
					} else if sh.commitments > 1 {
						t.Fatal("no circuit with more than one commitment")
					}
					f := build(t, "calib", s, c, circuit, assignment, sh.commitments)
					file := filepath.FromSlash(benchFile(s, c, sh.inputs, sh.commitments))
					if err := os.WriteFile(file, joinCalibration(f.args()), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	cases, err := BenchCases()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 4*len(benchShapes) {
		t.Fatalf("%d cases", len(cases))
	}
	reg := newRegistry(t)
	for _, bc := range cases {
		f := &fixture{scheme: bc.Scheme, curve: bc.Curve}
		if uint64(len(bc.Args.PublicInputs)/ScalarSize) != bc.Inputs {
			t.Fatalf("%s: %d bytes of inputs", bc.Name, len(bc.Args.PublicInputs))
		}
		expect(t, verifyIn(t, reg, f, bc.Args, bigBudget), Valid, bc.Price)
	}
	if _, err := splitCalibration([]byte{1, 0, 0, 0}); err == nil {
		t.Fatal("truncated calibration file accepted")
	}
}

// BenchmarkVerify times each calibration case of BenchCases (compressed
// encodings; structural checks, decoding and verification: all the
// syscall does but map memory) and reports its price, its CPU time and
// the ns per CU the price implies (about 33 when the price is right). The
// prices come from BenchmarkScaling and BenchmarkCommitments; see
// costs.go.
//
//	go test ./ext/zk -run '^$' -bench BenchmarkVerify -cpu 1
func BenchmarkVerify(b *testing.B) {
	cases, err := BenchCases()
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range cases {
		b.Run(bc.Name, func(b *testing.B) {
			cpu0 := timing.ProcessCPU()
			for b.Loop() {
				if ok, err := Verify(bc.Scheme, bc.Curve, bc.Args); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
			reportPrice(b, bc.Price, timing.ProcessCPU()-cpu0)
		})
	}
}

// BenchmarkVerifyRaw is BenchmarkVerify on uncompressed encodings, for
// comparison: the price does not depend on the form.
func BenchmarkVerifyRaw(b *testing.B) {
	for _, name := range fixtureNames {
		f := fixtureNamed(b, name)
		for _, raw := range []bool{false, true} {
			a := f.args()
			if raw {
				a = Args{f.vkRaw, f.proofRaw, f.public}
			}
			b.Run(fmt.Sprintf("%s/raw=%v", name, raw), func(b *testing.B) {
				for b.Loop() {
					if ok, err := Verify(f.scheme, f.curve, a); !ok || err != nil {
						b.Fatal(ok, err)
					}
				}
			})
		}
	}
}

// BenchmarkScaling times verification over a range of public-input counts
// (the circuits are built before the timed loop), to check that the
// per-input price holds from 1 to MaxPublicInputs inputs: ns/CU should stay
// at or below about 33 everywhere.
//
//	go test ./ext/zk -run '^$' -bench BenchmarkScaling -cpu 1
func BenchmarkScaling(b *testing.B) {
	for _, s := range []Scheme{Groth16, Plonk} {
		for _, c := range []Curve{CurveBN254, CurveBLS12381} {
			for _, n := range []int{1, 16, 64, 256, MaxPublicInputs} {
				circuit, assignment := newSum(n)
				f := build(b, "scaling", s, c, circuit, assignment, 0)
				price := Price(s, c, uint64(n), 0)
				b.Run(fmt.Sprintf("%v/%v/n=%d", s, c, n), func(b *testing.B) {
					cpu0 := timing.ProcessCPU()
					for b.Loop() {
						if ok, err := Verify(s, c, f.args()); !ok || err != nil {
							b.Fatal(ok, err)
						}
					}
					reportPrice(b, price, timing.ProcessCPU()-cpu0)
				})
			}
		}
	}
}

// reportPrice adds the price, the CPU time per call and the ns per CU
// that the price implies (by CPU time where it is measured, else by the
// wall clock) to a benchmark's results.
func reportPrice(b *testing.B, price uint64, cpu time.Duration) {
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	if cpu > 0 {
		ns = float64(cpu.Nanoseconds()) / float64(b.N)
		b.ReportMetric(ns, "cpu-ns/op")
	}
	b.ReportMetric(float64(price), "CU")
	b.ReportMetric(ns/float64(price), "ns/CU")
}

// multiCommitCircuit has one public input and k BSB22 commitments, each to
// its own secret.
type multiCommitCircuit struct {
	X frontend.Variable `gnark:",public"`
	Y []frontend.Variable
}

func (c *multiCommitCircuit) Define(api frontend.API) error {
	for _, y := range c.Y {
		api.AssertIsEqual(api.Mul(y, y), c.X)
		cmt, err := api.(frontend.Committer).Commit(y)
		if err != nil {
			return err
		}
		api.AssertIsDifferent(cmt, 0)
	}
	return nil
}

// BenchmarkCommitments times verification against the number of BSB22
// commitments of the key, to set and check the per-commitment price.
//
//	go test ./ext/zk -run '^$' -bench BenchmarkCommitments -cpu 1
func BenchmarkCommitments(b *testing.B) {
	for _, s := range []Scheme{Groth16, Plonk} {
		for _, c := range []Curve{CurveBN254, CurveBLS12381} {
			for _, k := range []int{0, 1, 4} {
				circuit := &multiCommitCircuit{Y: make([]frontend.Variable, k)}
				assignment := &multiCommitCircuit{X: 9, Y: make([]frontend.Variable, k)}
				for i := range k {
					assignment.Y[i] = 3
				}
				var f *fixture
				if k == 0 {
					circuit, assignment := newSum(1) // one input, no commitment
					f = build(b, "commitments", s, c, circuit, assignment, 0)
				} else {
					f = build(b, "commitments", s, c, circuit, assignment, uint64(k))
				}
				price := Price(s, c, 1, uint64(k))
				b.Run(fmt.Sprintf("%v/%v/c=%d", s, c, k), func(b *testing.B) {
					cpu0 := timing.ProcessCPU()
					for b.Loop() {
						if ok, err := Verify(s, c, f.args()); !ok || err != nil {
							b.Fatal(ok, err)
						}
					}
					reportPrice(b, price, timing.ProcessCPU()-cpu0)
				})
			}
		}
	}
}
