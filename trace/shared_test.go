package trace

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// inputSrc adds up the input's first 16 words, starting from the word at
// offset 256 and writing each running sum back, logs a greeting, and
// hashes the sum (sol_sha256 writes 32 bytes at offset 256).
const inputSrc = `
    mov64 r6, r1
    ldxdw r0, [r1+256]
    mov64 r2, 0
loop:
    ldxdw r3, [r6+0]
    add64 r0, r3
    stxdw [r6+0], r0
    add64 r6, 8
    add64 r2, 1
    jlt r2, 16, loop
    stxdw [r10-8], r0
    lddw r2, 0x61202c6f6c6c6568
    stxdw [r10-16], r2
    mov64 r1, r10
    sub64 r1, 16
    mov64 r2, 8
    syscall sol_log_
    mov64 r1, r10
    sub64 r1, 8
    stxdw [r10-32], r1
    mov64 r3, 8
    stxdw [r10-24], r3
    mov64 r1, r10
    sub64 r1, 32
    mov64 r2, 1
    lddw r3, 0x400000100
    syscall sol_sha256
    exit
`

// TestRunSharedAndRelease: one recorder records run after run, each
// trace handed back after it is encoded; the shared recording encodes
// to exactly the bytes of the copying one, and every trace replays.
func TestRunSharedAndRelease(t *testing.T) {
	for _, src := range []string{inputSrc, loopSrc, syscallSrc, faultSrc} {
		p, err := asm.Assemble(src, sbpf.V0, nil)
		if err != nil {
			t.Fatal(err)
		}
		prog := vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry)
		rec := NewRecorder(Options{Interval: 100})
		reg, err := rec.Registry(syscalls.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		exe, err := vm.Interpreter{}.Prepare(prog, reg, vm.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		enc, err := NewEncoder()
		if err != nil {
			t.Fatal(err)
		}
		m := vm.NewMachine()
		r := rand.New(rand.NewPCG(3, 4))
		for i := range 8 {
			initial := make([]byte, 512)
			for j := range initial[:128] {
				initial[j] = byte(r.Uint32())
			}
			in := bytes.Clone(initial)
			_, tr := rec.Run(m, exe, vm.RunOptions{Input: in, Budget: 1 << 20, Context: syscalls.NewContext([32]byte{})})
			var copied bytes.Buffer
			if err := enc.Encode(&copied, tr); err != nil {
				t.Fatal(err)
			}
			if src == inputSrc && (tr.Outcome.Err != nil || tr.inputWritten != 288) {
				t.Fatalf("run %d: %v, input written to %d", i, tr.Outcome.Err, tr.inputWritten)
			}
			rec.Release(tr)

			in = bytes.Clone(initial)
			_, tr = rec.RunShared(m, exe, vm.RunOptions{Input: in, Budget: 1 << 20, Context: syscalls.NewContext([32]byte{})}, initial)
			if len(initial) > 0 && (&tr.Input[0] != &initial[0] || &tr.Outcome.Final.Input[0] != &in[0]) {
				t.Fatal("RunShared copied the input")
			}
			var shared, unbounded bytes.Buffer
			if err := enc.Encode(&shared, tr); err != nil {
				t.Fatal(err)
			}
			// The recorder's bound on the written input only saves the
			// encoder comparing memory; it changes no byte.
			if !tr.inputKnown {
				t.Fatal("the recorder did not note how far the input was written")
			}
			tr.inputKnown = false
			if err := enc.Encode(&unbounded, tr); err != nil {
				t.Fatal(err)
			}
			rec.Release(tr)
			if !bytes.Equal(shared.Bytes(), unbounded.Bytes()) {
				t.Fatalf("run %d: the bound on the written input changed the encoding", i)
			}
			if !bytes.Equal(copied.Bytes(), shared.Bytes()) {
				t.Fatalf("run %d: the shared recording encodes differently", i)
			}
			dec, err := Decode(shared.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if rep, err := Replay(dec); err != nil || rep.Divergence != nil {
				t.Fatalf("run %d: %v %v", i, err, rep.Divergence)
			}
		}
		enc.Close()
	}
}

// TestReplayRepeatedAndSeek replays one trace again and again, resuming
// from other checkpoints in between (the replayer restores only the
// input its last run wrote): every full replay matches, its final input
// is the plain run's, and a recorded final input changed past what the
// program writes is still a divergence.
func TestReplayRepeatedAndSeek(t *testing.T) {
	input := make([]byte, 4096)
	for i := range input {
		input[i] = byte(i * 7)
	}
	_, _, out := runPlain(t, inputSrc, input, 1<<20)
	_, tr := record(t, inputSrc, input, 1<<20, 20)
	tr = roundTrip(t, tr)
	if len(tr.Checkpoints) < 4 {
		t.Fatalf("%d checkpoints", len(tr.Checkpoints))
	}
	rp, err := NewReplayer(tr)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		rep := rp.ReplayAll()
		if rep.Divergence != nil {
			t.Fatalf("replay %d: %v", i, rep.Divergence)
		}
		if !bytes.Equal(rep.Final.Input, out) {
			t.Fatalf("replay %d: final input differs from the plain run's", i)
		}
		if i%3 == 2 {
			// Twice from one checkpoint, as a debugger seeks.
			cp := tr.Checkpoints[1+i%(len(tr.Checkpoints)-1)]
			for range 2 {
				if res := rp.Resume(cp.State, cp.Insns, nil, 0); res.CU != tr.Outcome.CU || !bytes.Equal(rp.Machine().Snapshot().Input, out) {
					t.Fatalf("resumed from checkpoint at %d: %+v", cp.Insns, res)
				}
			}
		}
	}

	for _, off := range []int{3, 300, 4000} {
		_, tr := record(t, inputSrc, input, 1<<20, 20)
		tr.Outcome.Final.Input[off] ^= 0x40
		rep, err := Replay(tr)
		if err != nil {
			t.Fatal(err)
		}
		if d := rep.Divergence; d == nil || d.What != fmt.Sprintf("memory %#x", sbpf.InputStart+uint64(off)) {
			t.Fatalf("input byte %d changed: divergence %v", off, d)
		}
	}
}
