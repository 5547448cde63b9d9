package ovsm

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"

	"github.com/agora-vm/agora/ext/offload"
	"github.com/agora-vm/agora/syscalls/solcrypto"
	"github.com/agora-vm/agora/vm"
)

// The hw-offload-* builtins on the CPU backend: each operation's result
// as OVSM sees it, the non-blocking poll, cancel, and the errors.
func TestHWOffloadBuiltins(t *testing.T) {
	const acc = `(define a (get (hw-offload-query) 0)) `
	tests := []struct {
		name string
		body string
		log  string // a log line the run must print
		err  error  // or the error it must fail with
		fail string // or the message of an OVSM error
	}{
		{"query", `(log :a (hw-offload-query)) 0`, `a=[{:type ML_INFERENCE :kind CPU :id 1 :ops 2046 :max-dims 512}]`, nil, ""},
		{"matmul fx64", acc + `(define r (hw-offload-poll (hw-offload-submit a {:operation "MATMUL" :input-a [1 -2 3 4] :input-b [5 6 7 8] :dimensions [2 2 2]}))) (log :r (get r "result") :s (get r "status")) 0`,
			`r=[-9 -10 43 50] s=done`, nil, ""},
		{"matmul i8", acc + `(define r (hw-offload-poll (hw-offload-submit a {:operation "MATMUL" :dtype "i8" :input-a [-128 127] :input-b [127 -128] :dimensions [1 2 1]}))) (log :r (get r "result")) 0`,
			`r=[-32512]`, nil, ""},
		{"fixed point shift", acc + `(define r (hw-offload-poll (hw-offload-submit a {:operation "MATMUL_FX64" :input-a [3] :input-b [5] :dimensions [1 1 1] :shift 1}))) (log :r (get r "result")) 0`,
			`r=[7]`, nil, ""},
		{"relu", acc + `(define r (hw-offload-poll (hw-offload-submit a {:operation "RELU" :input-a [-3 0 4 -1] :dimensions [2 2]}))) (log :r (get r "result")) 0`,
			`r=[0 0 4 0]`, nil, ""},
		{"argmax", acc + `(define r (hw-offload-poll (hw-offload-submit a {:operation "ARGMAX" :input-a [1 9 9 -3 -2 -7] :dimensions [2 3]}))) (log :r (get r "result")) 0`,
			`r=[1 1]`, nil, ""},
		{"conv1d", acc + `(define r (hw-offload-poll (hw-offload-submit a {:operation "CONV1D" :input-a [1 2 3 4] :input-b [2 -2]}))) (log :r (get r "result")) 0`,
			`r=[-2 -2 -2]`, nil, ""},
		// 32·256·32 multiply-accumulates: a latency of 3,278 CU, more than
		// the program spends before its first poll.
		{"try-poll pending then wait", acc + `(define h (hw-offload-submit a {:operation "MATMUL" :dtype "i8" :input-a "` + strings.Repeat("a", 8192) + `" :input-b "` + strings.Repeat("b", 8192) + `" :dimensions [32 256 32]})) (log :first (hw-offload-try-poll h) :then (get (get (hw-offload-poll h) "result") 0)) 0`,
			fmt.Sprintf("first=nil then=%d", 256*97*98), nil, ""},
		{"cancel", acc + `(define h (hw-offload-submit a {:operation "MATMUL" :input-a [1] :input-b [1] :dimensions [1 1 1]})) (hw-offload-cancel h) (log :s (get (hw-offload-poll h) "status")) 0`,
			`s=cancelled`, nil, ""},
		{"cancel twice", acc + `(define h (hw-offload-submit a {:operation "MATMUL" :input-a [1] :input-b [1] :dimensions [1 1 1]})) (hw-offload-cancel h) (hw-offload-cancel h) 0`,
			"", offload.ErrTaskCancelled, ""},
		{"bad accelerator", `(hw-offload-submit 7 {:operation "MATMUL" :input-a [1] :input-b [1] :dimensions [1 1 1]}) 0`,
			"", offload.ErrUnknownAccelerator, ""},
		{"oversized", acc + `(hw-offload-submit a {:operation "RELU" :input-a [] :dimensions [0 513]}) 0`,
			"", offload.ErrDimsTooLarge, ""},
		{"operands do not match the dimensions", acc + `(hw-offload-submit a {:operation "MATMUL" :input-a [1 2] :input-b [1] :dimensions [1 1 1]}) 0`,
			"", offload.ErrBadRequest, ""},
		{"unknown operation", acc + `(hw-offload-submit a {:operation "FFT" :input-a [1]}) 0`,
			"", nil, ":operation must be"},
		{"i8 out of range", acc + `(hw-offload-submit a {:operation "MATMUL_I8" :input-a [200] :input-b [1] :dimensions [1 1 1]}) 0`,
			"", nil, "operands are -128 to 127"},
		{"batch verify ed25519", acc + `(define r (hw-offload-poll (hw-offload-submit a {:operation "BATCH_VERIFY_ED25519" :input-a "` + ed25519Records() + `"}))) (log :r (get r "result")) 0`,
			`r=[1 0]`, nil, ""},
		{"batch verify bls", acc + `(define r (hw-offload-poll (hw-offload-submit a {:operation "BATCH_VERIFY_BLS" :input-a "` + blsRecords(t) + `"}))) (log :r (get r "result")) 0`,
			`r=[1 0]`, nil, ""},
		// 1·G + 2·G = 3·G on BN254 (G = (1, 2)).
		{"msm bn254", acc + `(define r (hw-offload-poll (hw-offload-submit a {:operation "MSM_BN254" :input-a "` + msmOperands() + `" :input-b "` + msmScalars() + `"}))) (log :r (get r "result")) 0`,
			"r=0x00000000" + msm3G(), nil, ""},
		{"msm bls12-381 off the subgroup", acc + `(define r (hw-offload-poll (hw-offload-submit a {:operation "MSM_BLS12381" :input-a "` + hexEscape(append(make([]byte, 95), 1)) + `" :input-b "` + hexEscape(make([]byte, 32)) + `"}))) (log :r (get r "result")) 0`,
			"r=0x01000000" + strings.Repeat("00", 96), nil, ""},
		{"poseidon many", acc + `(define r (hw-offload-poll (hw-offload-submit a {:operation "POSEIDON_MANY" :dimensions [2] :input-a "` + hexEscape(make([]byte, 128)) + `"}))) (log :r (get r "result")) 0`,
			"r=0x01" + poseidonZeroPair() + "01" + poseidonZeroPair(), nil, ""},
		{"poll unknown task", `(hw-offload-poll {"id" 9 "op" 2 "result-bytes" 8}) 0`,
			"", offload.ErrUnknownTask, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, program(tt.body), runOpts{opts: Options{HeapSize: 256 << 10}, registry: extRegistry(t), offload: true})
			switch {
			case tt.log != "":
				if r.Err != nil || !logsContain(r.Logs, tt.log) {
					t.Fatalf("err %v logs %q, want %q", r.Err, r.Logs, tt.log)
				}
			case tt.err != nil:
				if !errors.Is(r.Err, tt.err) {
					t.Fatalf("err %v (%s), want %v", r.Err, vm.ErrorKindOf(r.Err), tt.err)
				}
			default:
				if r.Err == nil || !logsContain(r.Logs, tt.fail) {
					t.Fatalf("err %v logs %q, want %q", r.Err, r.Logs, tt.fail)
				}
			}
		})
	}
}

// ed25519Records is two BATCH_VERIFY_ED25519 records as an OVSM string
// literal: a valid signature, and the same with its message changed.
func ed25519Records() string {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	msg := make([]byte, 32)
	rec := append(append(append([]byte(nil), priv.Public().(ed25519.PublicKey)...), ed25519.Sign(priv, msg)...), msg...)
	bad := append([]byte(nil), rec...)
	bad[127] ^= 1
	var b strings.Builder
	for _, c := range append(rec, bad...) {
		fmt.Fprintf(&b, "\\x%02x", c)
	}
	return b.String()
}

// blsRecords is two BATCH_VERIFY_BLS records as an OVSM string literal:
// a valid signature by the secret key 7, and the same with its message
// changed.
func blsRecords(t *testing.T) string {
	msg := make([]byte, 32)
	pkb, sigb := blsSign(t, big.NewInt(7), msg)
	rec := append(append(append([]byte(nil), pkb...), sigb...), msg...)
	bad := append([]byte(nil), rec...)
	bad[len(bad)-1] ^= 1
	return hexEscape(append(rec, bad...))
}

func hexEscape(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		fmt.Fprintf(&sb, "\\x%02x", c)
	}
	return sb.String()
}

// msmOperands is the BN254 generator twice; msmScalars 1 and 2; msm3G
// the hex of 3·G.
func msmOperands() string {
	_, _, g, _ := bn254.Generators()
	x, y := g.X.Bytes(), g.Y.Bytes()
	p := append(x[:], y[:]...)
	return hexEscape(append(append([]byte(nil), p...), p...))
}

func msmScalars() string {
	s := make([]byte, 64)
	s[31], s[63] = 1, 2
	return hexEscape(s)
}

func msm3G() string {
	_, _, g, _ := bn254.Generators()
	var p bn254.G1Affine
	p.ScalarMultiplication(&g, big.NewInt(3))
	x, y := p.X.Bytes(), p.Y.Bytes()
	return fmt.Sprintf("%x%x", x, y)
}

// poseidonZeroPair is the hex of sol_poseidon's hash of two zero inputs.
func poseidonZeroPair() string {
	h, _ := solcrypto.PoseidonHash([][]byte{make([]byte, 32), make([]byte, 32)})
	return fmt.Sprintf("%x", h)
}
