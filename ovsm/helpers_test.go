package ovsm

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/ext/crypto"
	"github.com/agora-vm/agora/ext/offload"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

// runResult is what a test run of a compiled program gives.
type runResult struct {
	R0       uint64
	CU       uint64
	Err      error
	Logs     []string
	Accounts []abi.Account
	Out      *Output
}

type runOpts struct {
	opts     Options
	accounts []abi.Account
	metas    []abi.AccountMeta
	data     []byte
	budget   uint64
	registry *vm.Registry
	// offload gives the run an offload task table (ext/offload.Host).
	offload bool
}

// offloadCtx is the test context with an offload task table.
type offloadCtx struct {
	*syscalls.Context
	tasks offload.Tasks
}

func (c *offloadCtx) OffloadTasks() *offload.Tasks { return &c.tasks }

func testRegistry() *vm.Registry { return syscalls.NewRegistry() }

// compileOK compiles src or fails the test with its diagnostics.
func compileOK(t testing.TB, src string, opts Options) *Output {
	t.Helper()
	out, err := Compile([]byte(src), "t.ovsm", opts)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return out
}

// execute runs a compiled program as one instruction.
func execute(t testing.TB, out *Output, ro runOpts) runResult {
	t.Helper()
	reg := ro.registry
	if reg == nil {
		reg = testRegistry()
	}
	if err := verify.Structural(out.Program.Text, out.Program.Version, reg); err != nil {
		t.Fatalf("verify: %v", err)
	}
	exe, err := vm.Interpreter{}.Prepare(out.Program, reg, vm.Config{HeapSize: out.HeapSize})
	if err != nil {
		t.Fatalf("executable: %v", err)
	}
	var pid [32]byte
	pid[0] = 0xAA
	metas := ro.metas
	if metas == nil {
		for i := range ro.accounts {
			metas = append(metas, abi.AccountMeta{Index: i, Signer: i == 0, Writable: true})
		}
	}
	input, layout, err := abi.Serialize(ro.accounts, &abi.Instruction{ProgramID: pid, Accounts: metas, Data: ro.data})
	if err != nil {
		t.Fatalf("serialize: %v", err)
	}
	ctx := syscalls.NewContext(pid)
	budget := ro.budget
	if budget == 0 {
		budget = 1_400_000
	}
	var runCtx any = ctx
	if ro.offload {
		runCtx = &offloadCtx{Context: ctx}
	}
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: budget, Context: runCtx})
	rr := runResult{R0: res.R0, CU: res.CU, Err: res.Err, Logs: append([]string(nil), ctx.Messages()...), Out: out}
	if ve, ok := res.Err.(*vm.Error); ok {
		if loc, ok := out.Debug.Lookup(ve.PC); ok {
			rr.Err = fmt.Errorf("%w (at pc %d, %s)", res.Err, ve.PC, loc)
		}
	}
	if res.Err == nil && res.R0 == 0 && len(ro.accounts) > 0 {
		accs, err := abi.Deserialize(input, layout)
		if err != nil {
			rr.Err = err
		}
		rr.Accounts = accs
	}
	return rr
}

// run compiles and runs src.
func run(t testing.TB, src string, ro runOpts) runResult {
	t.Helper()
	return execute(t, compileOK(t, src, ro.opts), ro)
}

// program wraps an expression as an entrypoint returning it.
func program(body string) string {
	return "(define-program t (entrypoint (accounts instruction-data) " + body + "))"
}

func logsContain(logs []string, s string) bool {
	for _, l := range logs {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

var _ = sbpf.V0

// blsSign returns the compressed public key of secret key sk and its
// signature of msg in ext/crypto's BLS ciphersuite.
func blsSign(t *testing.T, sk *big.Int, msg []byte) (pk, sig []byte) {
	t.Helper()
	var p bls12381.G1Affine
	p.ScalarMultiplicationBase(sk)
	h, err := bls12381.HashToG2(msg, []byte(crypto.BLSCiphersuite))
	if err != nil {
		t.Fatal(err)
	}
	var s bls12381.G2Affine
	s.ScalarMultiplication(&h, sk)
	pb, sb := p.Bytes(), s.Bytes()
	return pb[:], sb[:]
}
