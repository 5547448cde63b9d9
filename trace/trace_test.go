package trace

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// record assembles src and records a run of it with the standard
// syscalls.
func record(t testing.TB, src string, input []byte, budget, interval uint64) (vm.Result, *Trace) {
	t.Helper()
	p, err := asm.Assemble(src, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return recordProgram(t, vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), input, budget, interval)
}

func recordProgram(t testing.TB, prog *vm.Program, input []byte, budget, interval uint64) (vm.Result, *Trace) {
	t.Helper()
	ctx := syscalls.NewContext([32]byte{})
	rec := NewRecorder(Options{Interval: interval, Logs: ctx.Messages})
	reg, err := rec.Registry(syscalls.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(prog, reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return rec.Run(vm.NewMachine(), exe, vm.RunOptions{Input: bytes.Clone(input), Budget: budget, Context: ctx})
}

// runPlain runs the same program without recording.
func runPlain(t testing.TB, src string, input []byte, budget uint64) (vm.Result, []string, []byte) {
	t.Helper()
	p, err := asm.Assemble(src, sbpf.V0, nil)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), syscalls.NewRegistry(), vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := syscalls.NewContext([32]byte{})
	in := bytes.Clone(input)
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: in, Budget: budget, Context: ctx})
	return res, ctx.Messages(), in
}

func roundTrip(t testing.TB, tr *Trace) *Trace {
	t.Helper()
	var buf bytes.Buffer
	if err := tr.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

const loopSrc = `
    mov64 r0, 0
    mov64 r2, 0
loop:
    add64 r0, r2
    stxdw [r10-8], r0
    ldxdw r3, [r10-8]
    add64 r2, 1
    jlt r2, 3000, loop
    stxdw [r1+0], r0
    exit
`

const syscallSrc = `
    lddw r2, 0x61202c6f6c6c6568
    stxdw [r10-16], r2
    mov64 r1, r10
    sub64 r1, 16
    mov64 r2, 8
    syscall sol_log_
    # sha256 of the 8 bytes on the stack, written to the input
    stxdw [r10-32], r1
    mov64 r3, 8
    stxdw [r10-24], r3
    mov64 r1, r10
    sub64 r1, 32
    mov64 r2, 1
    lddw r3, 0x400000000
    syscall sol_sha256
    ldxdw r0, [r3+0]
    exit
`

const faultSrc = `
    mov64 r0, 7
    lddw r1, 0x500000000
    ldxdw r0, [r1+0]
    exit
`

func TestRecordReplay(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		input     []byte
		budget    uint64
	}{
		{"loop", loopSrc, make([]byte, 8), 1 << 20},
		{"syscalls", syscallSrc, make([]byte, 32), 1 << 20},
		{"fault", faultSrc, nil, 1000},
		{"out of budget", loopSrc, make([]byte, 8), 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain, logs, out := runPlain(t, tc.src, tc.input, tc.budget)
			res, tr := record(t, tc.src, tc.input, tc.budget, 1000)
			if res.R0 != plain.R0 || res.CU != plain.CU || fmt.Sprint(res.Err) != fmt.Sprint(plain.Err) {
				t.Fatalf("recording changed the run: %+v vs %+v", res, plain)
			}
			if !bytes.Equal(tr.Outcome.Final.Input, out) || strings.Join(tr.Outcome.Logs, "\n") != strings.Join(logs, "\n") {
				t.Fatalf("recorded outcome differs from a plain run")
			}
			tr2 := roundTrip(t, tr)
			rep, err := Replay(tr2)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Divergence != nil {
				t.Fatalf("replay diverged: %v", rep.Divergence)
			}
			if rep.Result.CU != plain.CU || rep.Result.R0 != plain.R0 {
				t.Fatalf("replay result %+v, want %+v", rep.Result, plain)
			}
		})
	}
}

func TestCheckpointsAndEvents(t *testing.T) {
	_, tr := record(t, loopSrc, make([]byte, 8), 1<<20, 1000)
	if n := len(tr.Checkpoints); n < 15 {
		t.Fatalf("%d checkpoints for ~18000 instructions at interval 1000", n)
	}
	for i, cp := range tr.Checkpoints {
		if i > 0 && cp.Insns < tr.Checkpoints[i-1].Insns+1000 {
			t.Fatalf("checkpoint %d at %d, previous at %d", i, cp.Insns, tr.Checkpoints[i-1].Insns)
		}
	}
	_, tr = record(t, syscallSrc, make([]byte, 32), 1<<20, 1000)
	if len(tr.Events) != 2 || len(tr.Events[0].Logs) != 1 || len(tr.Events[1].Writes) != 1 || len(tr.Events[1].Writes[0].Data) != 32 {
		t.Fatalf("events %+v", tr.Events)
	}
}

// TestReplayReportsDivergence tampers with recorded answers and states.
func TestReplayReportsDivergence(t *testing.T) {
	_, tr := record(t, syscallSrc, make([]byte, 32), 1<<20, 4)
	tr.Events[1].Writes[0].Data[0] ^= 1
	rep, err := Replay(tr)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Divergence == nil || rep.Divergence.What != "memory 0x400000000" || rep.Divergence.Expected != "0xab" {
		t.Fatalf("divergence %v", rep.Divergence)
	}

	_, tr = record(t, loopSrc, make([]byte, 8), 1<<20, 1000)
	tr.Checkpoints[3].State.Regs[3]++
	rep, _ = Replay(tr)
	d := rep.Divergence
	if d == nil || d.What != "r3" || d.Insns != tr.Checkpoints[3].Insns {
		t.Fatalf("divergence %v", d)
	}

	_, tr = record(t, loopSrc, make([]byte, 8), 1<<20, 1000)
	tr.Outcome.CU++
	if rep, _ = Replay(tr); rep.Divergence == nil || rep.Divergence.What != "compute units" {
		t.Fatalf("divergence %v", rep.Divergence)
	}
	_, tr = record(t, loopSrc, make([]byte, 8), 1<<20, 1000)
	tr.Outcome.Final.Input[2] = 9
	if rep, _ = Replay(tr); rep.Divergence == nil || rep.Divergence.What != "memory 0x400000002" {
		t.Fatalf("divergence %v", rep.Divergence)
	}
	_, tr = record(t, syscallSrc, make([]byte, 32), 1<<20, 1000)
	tr.Events[0].Args[1] = 9
	if rep, _ = Replay(tr); rep.Divergence == nil || rep.Divergence.What != "r2 at sol_log_" {
		t.Fatalf("divergence %v", rep.Divergence)
	}
}

// randomProgram builds a verified straight-line-and-loop program over
// ALU, stack memory and a logging syscall.
func randomProgram(r *rand.Rand) string {
	var b strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "mov64 r%d, %d\n", i, r.IntN(1000))
	}
	fmt.Fprintf(&b, "mov64 r9, %d\nloop:\n", 50+r.IntN(200))
	ops := []string{"add64", "sub64", "mul64", "xor64", "or64", "and64", "lsh64", "rsh64", "add32", "mov64"}
	for range 5 + r.IntN(30) {
		dst, src := 1+r.IntN(8), r.IntN(9)
		switch r.IntN(6) {
		case 0:
			fmt.Fprintf(&b, "stxdw [r10-%d], r%d\n", 8*(1+r.IntN(8)), src)
		case 1:
			fmt.Fprintf(&b, "ldxdw r%d, [r10-%d]\n", dst, 8*(1+r.IntN(8)))
		case 2:
			fmt.Fprintf(&b, "%s r%d, %d\n", ops[r.IntN(len(ops))], dst, r.IntN(63))
		case 3:
			fmt.Fprintf(&b, "stxdw [r10-8], r%d\nmov64 r1, r10\nsub64 r1, 8\nmov64 r2, 8\nsyscall sol_log_\n", src)
		default:
			fmt.Fprintf(&b, "%s r%d, r%d\n", ops[r.IntN(len(ops))], dst, src)
		}
	}
	b.WriteString("sub64 r9, 1\njne r9, 0, loop\nmov64 r0, r3\nexit\n")
	return b.String()
}

// TestReplayEqualsRecordRandom is the property: every random program's
// replay matches its recording, and its recording matches a plain run.
func TestReplayEqualsRecordRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 40 {
		src := randomProgram(r)
		budget := uint64(500 + r.IntN(20000))
		plain, _, _ := runPlain(t, src, nil, budget)
		res, tr := record(t, src, nil, budget, uint64(1+r.IntN(500)))
		if res.CU != plain.CU || res.R0 != plain.R0 || fmt.Sprint(res.Err) != fmt.Sprint(plain.Err) {
			t.Fatalf("program %d: recording changed the run", i)
		}
		rep, err := Replay(roundTrip(t, tr))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Divergence != nil {
			t.Fatalf("program %d: %v\n%s", i, rep.Divergence, src)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	_, tr := record(t, syscallSrc, make([]byte, 32), 1<<20, 4)
	var buf bytes.Buffer
	if err := tr.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	mut := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"foreign", []byte("\x7fELF\x02\x01\x01\x00 not a trace at all"), ErrNotTrace},
		{"version", mut(func(b []byte) []byte { b[8] = 9; return b }), ErrVersion},
		{"checksum", mut(func(b []byte) []byte { b[20] ^= 0xff; return b }), ErrChecksum},
		{"truncated", good[:len(good)-10], ErrTruncated},
		{"header only", good[:headerSize], ErrTruncated},
		{"compressed garbage", mut(func(b []byte) []byte { b[headerSize+6] ^= 0x55; return b }), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.data)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err %v, want a *FormatError", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
	// A body that passes the checksum but is cut short names its field.
	var e encoder
	e.program(tr.Program)
	e.trace(tr)
	for _, n := range []int{0, 1, 5, len(e.b) / 2, len(e.b) - 1} {
		d := decoder{b: e.b[:n]}
		if d.trace() != nil || !errors.Is(d.err, ErrTruncated) {
			t.Fatalf("body cut at %d: %v", n, d.err)
		}
	}
}

// TestRawFrame: the uncompressed frames the encoder writes for small
// bodies are zstd frames any decoder reads.
func TestRawFrame(t *testing.T) {
	zr, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 255, 256, 257, 4096, rawFrameMax - 1} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		got, err := zr.DecodeAll(appendRawFrame([]byte{0xaa}, b)[1:], nil)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("%d bytes: %v, %d bytes back", n, err, len(got))
		}
	}
}
