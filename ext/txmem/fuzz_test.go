package txmem

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// The model test: a random sequence of stores (every width, unaligned),
// syscall writes (sol_memset_, sol_memmove_), begins, commits and aborts
// over the input and the heap runs as an sBPF program, and a plain Go
// model of memory — a snapshot taken at begin, put back at abort — runs
// beside it. After every abort (and at the end) the program's memory must
// equal the model's: memory after an abort is memory at its begin.

const (
	modelInput = 96 // bytes of input the sequences write
	modelHeap  = 96 // bytes of heap the sequences write
)

// byteSource hands out bytes of the fuzzer's input, then zeros.
type byteSource struct {
	b []byte
	i int
}

func (s *byteSource) next() byte {
	if s.i >= len(s.b) {
		return 0
	}
	s.i++
	return s.b[s.i-1]
}

func (s *byteSource) done() bool { return s.i >= len(s.b) }

func (s *byteSource) u64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(s.next())
	}
	return v
}

// model is the expected memory: [0] input, [1] heap.
type model struct {
	mem   [2][]byte
	saved *[2][]byte // at begin, while a transaction is open
}

func (md *model) snapshot() [2][]byte {
	return [2][]byte{bytes.Clone(md.mem[0]), bytes.Clone(md.mem[1])}
}

// sequence is a generated program and what it must leave behind.
type sequence struct {
	src       string
	checks    [][2][]byte // expected memory at each test_check call
	final     [2][]byte   // expected memory after the run (and, after a misuse fault, after Rollback)
	faultKind string      // the misuse the sequence ends with, or ""
	leaks     bool        // ends with a transaction open
}

var regionReg = [2]string{"r6", "r7"}

// generate turns fuzz bytes into a sequence of at most 64 operations.
func generate(src *byteSource, initial [2][]byte) sequence {
	md := &model{mem: [2][]byte{bytes.Clone(initial[0]), bytes.Clone(initial[1])}}
	var b strings.Builder
	var seq sequence
	b.WriteString("    mov64 r6, r1\n    lddw r7, 0x300000000\n")
	check := func() {
		b.WriteString("    syscall test_check\n")
		seq.checks = append(seq.checks, md.snapshot())
	}
	for ops := 0; ops < 64 && !src.done(); ops++ {
		op := src.next() % 16
		open := md.saved != nil
		switch {
		case op < 6: // a store
			reg := int(src.next() & 1)
			width := 1 << (src.next() % 4)
			off := int(src.next()) % (len(md.mem[reg]) - width + 1)
			v := src.u64()
			fmt.Fprintf(&b, "    lddw r2, %#x\n    stx%s [%s+%d], r2\n", v, [...]string{"b", "h", "w", "dw"}[log2(width)], regionReg[reg], off)
			var tmp [8]byte
			binary.LittleEndian.PutUint64(tmp[:], v)
			copy(md.mem[reg][off:off+width], tmp[:width])
		case op < 8: // sol_memset_
			reg := int(src.next() & 1)
			off := int(src.next()) % len(md.mem[reg])
			n := int(src.next()) % (len(md.mem[reg]) - off + 1)
			c := src.next()
			fmt.Fprintf(&b, "    mov64 r1, %s\n    add64 r1, %d\n    mov64 r2, %d\n    mov64 r3, %d\n    syscall sol_memset_\n", regionReg[reg], off, c, n)
			for i := off; i < off+n; i++ {
				md.mem[reg][i] = c
			}
		case op < 10: // sol_memmove_, possibly between regions and overlapping
			dr, sr := int(src.next()&1), int(src.next()&1)
			doff := int(src.next()) % len(md.mem[dr])
			soff := int(src.next()) % len(md.mem[sr])
			n := int(src.next()) % (min(len(md.mem[dr])-doff, len(md.mem[sr])-soff) + 1)
			fmt.Fprintf(&b, "    mov64 r1, %s\n    add64 r1, %d\n    mov64 r2, %s\n    add64 r2, %d\n    mov64 r3, %d\n    syscall sol_memmove_\n",
				regionReg[dr], doff, regionReg[sr], soff, n)
			copy(md.mem[dr][doff:doff+n], md.mem[sr][soff:soff+n])
		case op < 12: // begin, or (rarely) a nested one
			if open {
				if op == 11 && src.next() < 16 {
					b.WriteString("    tx_begin\n")
					seq.faultKind = "NestedTransaction"
					seq.final = *md.saved
					seq.src = b.String() + "    exit\n"
					return seq
				}
				continue
			}
			b.WriteString("    tx_begin\n")
			s := md.snapshot()
			md.saved = &s
		case op < 14: // commit
			if !open {
				if op == 13 && src.next() < 16 {
					b.WriteString("    tx_commit\n")
					seq.faultKind = "NoActiveTransaction"
					seq.final = md.snapshot()
					seq.src = b.String() + "    exit\n"
					return seq
				}
				continue
			}
			b.WriteString("    tx_commit\n")
			md.saved = nil
		default: // abort
			if !open {
				continue
			}
			b.WriteString("    tx_abort\n")
			md.mem = *md.saved
			md.saved = nil
			check()
		}
	}
	b.WriteString("    mov64 r0, 0\n    exit\n")
	seq.src = b.String()
	if md.saved != nil {
		seq.leaks = true
		seq.faultKind = "TransactionLeak"
		md.mem = *md.saved
	}
	seq.final = md.snapshot()
	return seq
}

func log2(w int) int {
	n := 0
	for w > 1 {
		w >>= 1
		n++
	}
	return n
}

// checkSequence runs the program generated from data and compares it with
// the model.
func checkSequence(t *testing.T, data []byte) {
	initial := [2][]byte{make([]byte, modelInput), make([]byte, modelHeap)}
	for i := range initial[0] {
		initial[0][i] = byte(i * 7)
	}
	seq := generate(&byteSource{b: data}, initial)

	var got [][2][]byte
	reg := registry(t)
	reg.MustRegister("test_check", func(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
		in, err := m.ReadMemory(sbpf.InputStart, modelInput)
		if err != nil {
			return 0, err
		}
		heap, err := m.ReadMemory(sbpf.HeapStart, modelHeap)
		if err != nil {
			return 0, err
		}
		got = append(got, [2][]byte{in, heap})
		return 0, nil
	})
	exe := prepare(t, reg, seq.src)
	input := bytes.Clone(initial[0])
	m := vm.NewMachine()
	res := exe.Run(m, vm.RunOptions{Input: input, Budget: 1 << 20, Context: syscalls.NewContext([32]byte{})})
	if kind := vm.ErrorKindOf(res.Err); kind != seq.faultKind {
		t.Fatalf("run ended with %v (kind %q), want kind %q\n%s", res.Err, kind, seq.faultKind, seq.src)
	}
	if seq.faultKind != "" && !seq.leaks {
		if _, err := Rollback(m); err != nil {
			t.Fatal(err)
		}
	}
	if Active(m) {
		t.Fatalf("transaction open after the run\n%s", seq.src)
	}
	if len(got) != len(seq.checks) {
		t.Fatalf("%d checks ran, want %d", len(got), len(seq.checks))
	}
	for i := range got {
		for r := range 2 {
			if !bytes.Equal(got[i][r], seq.checks[i][r]) {
				t.Fatalf("after abort %d, region %d:\n got %x\nwant %x\n%s", i, r, got[i][r], seq.checks[i][r], seq.src)
			}
		}
	}
	heap, err := m.ReadMemory(sbpf.HeapStart, modelHeap)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(input, seq.final[0]) || !bytes.Equal(heap, seq.final[1]) {
		t.Fatalf("final memory:\n got %x %x\nwant %x %x\n%s", input, heap, seq.final[0], seq.final[1], seq.src)
	}
}

func FuzzTransactions(f *testing.F) {
	f.Add([]byte{10, 0, 0, 3, 5, 1, 2, 3, 4, 5, 6, 7, 8, 14})
	f.Add([]byte{10, 6, 1, 3, 7, 9, 8, 0, 12, 1, 10, 12, 1, 1})
	f.Add([]byte{13, 0, 11, 11, 1})
	f.Add([]byte{10, 1, 1, 0, 9, 9, 9, 9, 9, 9, 9, 9})
	f.Fuzz(func(t *testing.T, data []byte) { checkSequence(t, data) })
}

// TestTransactionsModel runs a few hundred random sequences, so that the
// model test runs without -fuzz too.
func TestTransactionsModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 300
	if testing.Short() {
		n = 50
	}
	for range n {
		data := make([]byte, 40+rng.IntN(400))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		checkSequence(t, data)
	}
}
