package ring

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/agora-vm/agora/ext/txmem"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// inMachine runs fn inside a syscall of a live machine whose input region
// is input, so that tests can call the syscalls' functions directly.
func inMachine(t testing.TB, input []byte, fn func(m *vm.Machine)) {
	t.Helper()
	reg := vm.NewRegistry()
	reg.MustRegister("test_host", func(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
		fn(m)
		return 0, nil
	})
	text := sbpf.AppendEncoded(nil, sbpf.Instruction{Op: sbpf.Call, Imm: int32(sbpf.SyscallHash("test_host"))})
	text = sbpf.AppendEncoded(text, sbpf.Instruction{Op: sbpf.Exit})
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, text, nil, 0), reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: 1 << 40}); res.Err != nil {
		t.Fatal(res.Err)
	}
}

// call is a syscall's result.
type call struct {
	r0  uint64
	cu  uint64
	err error
}

func (c call) kind() string { return vm.ErrorKindOf(c.err) }

func do(m *vm.Machine, fn vm.SyscallFunc, args ...uint64) call {
	var a [5]uint64
	copy(a[:], args)
	before := m.Remaining()
	r0, err := fn(m, a[0], a[1], a[2], a[3], a[4])
	return call{r0, before - m.Remaining(), err}
}

func mustOK(t testing.TB, c call, r0 uint64) {
	t.Helper()
	if c.err != nil || c.r0 != r0 {
		t.Fatalf("got r0=%d err=%v, want r0=%d", c.r0, c.err, r0)
	}
}

func mustKind(t testing.TB, c call, kind string) {
	t.Helper()
	if c.err == nil || c.kind() != kind {
		t.Fatalf("got r0=%d err=%v (kind %q), want %s", c.r0, c.err, c.kind(), kind)
	}
}

const heap = sbpf.HeapStart

func TestRegisterNamesAliases(t *testing.T) {
	r := vm.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	if len(r.Syscalls()) != len(Names()) || len(Aliases()) != len(Names()) || len(Costs()) != len(Names()) {
		t.Fatal("tables disagree")
	}
	if err := Register(r); err == nil || !strings.Contains(err.Error(), "collides") {
		t.Fatalf("second Register: %v", err)
	}
	if err := Register(nil); err == nil {
		t.Fatal("Register(nil)")
	}
	if Aliases()["ring_push"] != NamePush {
		t.Fatal("ring_push alias")
	}
	if HeaderSize != 192 {
		t.Fatal("header size")
	}
}

// Two consumers read the same stream independently, in order; push
// reports full when the slowest would be overrun; the ring wraps.
func TestPushPopPeekSize(t *testing.T) {
	inMachine(t, nil, func(m *vm.Machine) {
		const out = heap + 4096
		const msg = heap + 8192
		size, _ := Size(3, 10)
		mustOK(t, do(m, sysCreate, heap, size, CapacityArg(3, 2), 10), 0)
		mem := func(addr, n uint64) []byte { b, _ := m.Translate(vm.Store, addr, n); return b }
		push := func(s string) call {
			copy(mem(msg, uint64(len(s))), s)
			return do(m, sysPush, heap, msg, uint64(len(s)))
		}
		pop := func(c uint64) string {
			r := do(m, sysPop, heap, c, out, 10)
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.r0 == Empty {
				return "<empty>"
			}
			return string(mem(out, r.r0))
		}
		mustOK(t, do(m, sysSize, heap, 0), 0)
		if pop(0) != "<empty>" || pop(1) != "<empty>" {
			t.Fatal("new ring not empty")
		}
		mustOK(t, push("a"), 0)
		mustOK(t, push(""), 0) // an empty message is a message
		mustOK(t, push("ccc"), 0)
		mustOK(t, push("d"), 1) // both consumers have 3 pending
		mustOK(t, do(m, sysSize, heap, 1), 3)
		if pop(0) != "a" || pop(0) != "" {
			t.Fatal("consumer 0 order")
		}
		mustOK(t, push("d"), 1) // consumer 1 is the slowest
		if pop(1) != "a" {
			t.Fatal("consumer 1")
		}
		mustOK(t, push("d"), 0) // wraps into slot 0
		mustOK(t, push("e"), 1)
		r := do(m, sysPeek, heap, 1, out, 10)
		mustOK(t, r, 0)
		mustOK(t, do(m, sysSize, heap, 1), 3)
		got := []string{}
		for s := pop(1); s != "<empty>"; s = pop(1) {
			got = append(got, s)
		}
		if strings.Join(got, ",") != ",ccc,d" {
			t.Fatalf("consumer 1 read %q", got)
		}
		if pop(0) != "ccc" || pop(0) != "d" || pop(0) != "<empty>" {
			t.Fatal("consumer 0 tail")
		}
		// The host-side view agrees.
		ringBytes := mem(heap, size)
		h, err := ParseHeader(ringBytes)
		if err != nil || h.Head != 4 || h.Cursors[0] != 4 || h.Cursors[1] != 4 || h.Consumers != 2 {
			t.Fatalf("header %+v %v", h, err)
		}
	})
}

func TestErrors(t *testing.T) {
	inMachine(t, make([]byte, 64), func(m *vm.Machine) {
		size, _ := Size(2, 8)
		mustOK(t, do(m, sysCreate, heap, size, 2, 8), 0)
		mem := func(addr, n uint64) []byte { b, _ := m.Translate(vm.Store, addr, n); return b }
		// create
		mustKind(t, do(m, sysCreate, heap, size-1, 2, 8), "InvalidArgument")
		mustKind(t, do(m, sysCreate, heap, size, 0, 8), "InvalidArgument")
		mustKind(t, do(m, sysCreate, heap, size, 2, 0), "InvalidArgument")
		mustKind(t, do(m, sysCreate, heap, size, CapacityArg(2, MaxConsumers+1), 8), "InvalidArgument")
		mustKind(t, do(m, sysCreate, heap, size, 1<<40|2, 8), "InvalidArgument")
		mustKind(t, do(m, sysCreate, heap+sbpf.DefaultHeapSize-8, size, 2, 8), "AccessViolation")
		mustKind(t, do(m, sysCreate, sbpf.BytecodeStart, size, 2, 8), "AccessViolation") // read-only
		// push
		mustKind(t, do(m, sysPush, heap, heap+4096, 9), "MessageTooLarge")
		mustKind(t, do(m, sysPush, heap, 0, 8), "AccessViolation")
		mustKind(t, do(m, sysPush, 8, heap+4096, 8), "AccessViolation")
		mustOK(t, do(m, sysPush, heap, heap+4096, 8), 0)
		// pop, peek, size
		mustKind(t, do(m, sysPop, heap, 1, heap+4096, 8), "InvalidConsumer")
		// The message names the ring's consumer count and where it comes
		// from, since the ABI packs it into the capacity argument.
		if c := do(m, sysPop, heap, 1, heap+4096, 8); !strings.Contains(c.err.Error(), "consumer 1 of a ring with 1 consumers (indexes 0 to 0; agora_ring_create takes the count in bits 32-39") {
			t.Errorf("InvalidConsumer message: %v", c.err)
		}
		mustKind(t, do(m, sysSize, heap, 1<<63), "InvalidConsumer")
		mustKind(t, do(m, sysPeek, heap, 0, heap+4096, 7), "MessageTooLarge")
		mustKind(t, do(m, sysPop, heap, 0, 0, 8), "AccessViolation")
		mustOK(t, do(m, sysSize, heap, 0), 1) // nothing consumed by the failures
		// Corruption, one field at a time.
		saved := bytes.Clone(mem(heap, size))
		for _, c := range []struct {
			name string
			off  int
			v    uint64
			size int
		}{
			{"magic", offMagic, 0, 4},
			{"version", offVersion, 2, 4},
			{"capacity", offCapacity, 3, 4},
			{"max_msg", offMaxMsg, 16, 4},
			{"consumers", offConsumers, 0, 4},
			{"slot size", offSlotSize, 8, 4},
			{"length", offLength, 1 << 20, 8},
			{"cursor ahead", offCursors, 2, 8},
			{"head far ahead", offHead, 5, 8},
			{"slot sequence", HeaderSize, 7, 8},
			{"slot length", HeaderSize + slotOffLen, 9, 4},
		} {
			b := mem(heap, size)
			copy(b, saved)
			tmp := binary.LittleEndian.AppendUint64(nil, c.v)
			copy(b[c.off:], tmp[:c.size])
			r := do(m, sysPop, heap, 0, heap+4096, 8)
			if c.name == "head far ahead" {
				r = do(m, sysPush, heap, heap+4096, 1)
			}
			if r.kind() != "RingCorrupt" {
				t.Fatalf("%s: got %v", c.name, r.err)
			}
		}
		copy(mem(heap, size), saved)
		// A ring whose consistent header claims more memory than there is.
		big, _ := Size(1000, 1000)
		in := mem(sbpf.InputStart, 64)
		hdr := make([]byte, HeaderSize)
		writeHeader(hdr, 1000, 1000, 1, big)
		copy(in, hdr) // only 64 bytes fit: the header itself is cut off
		mustKind(t, do(m, sysSize, sbpf.InputStart, 0), "AccessViolation")
		hb := mem(heap+8192, HeaderSize)
		copy(hb, hdr)
		mustKind(t, do(m, sysSize, heap+8192, 0), "AccessViolation") // 1 MB past the heap
	})
}

// A push inside a transaction that is aborted leaves the ring as it was,
// and only the bytes a push writes enter the undo log.
func TestRingInTransaction(t *testing.T) {
	reg := syscalls.NewRegistry()
	if err := Register(reg); err != nil {
		t.Fatal(err)
	}
	if err := txmem.Register(reg); err != nil {
		t.Fatal(err)
	}
	aliases := txmem.Aliases()
	for k, v := range Aliases() {
		aliases[k] = v
	}
	size, _ := Size(4, 32)
	src := fmt.Sprintf(`
    lddw r6, 0x300000000
    mov64 r1, r6
    mov64 r2, %d
    mov64 r3, 4
    mov64 r4, 32
    ring_create
    stdw [r10-8], 77
    mov64 r1, r6
    mov64 r2, r10
    add64 r2, -8
    mov64 r3, 8
    ring_push                  ; committed
    tx_begin
    mov64 r1, r6
    mov64 r2, r10
    add64 r2, -8
    mov64 r3, 8
    ring_push                  ; undone
    tx_abort
    mov64 r1, r6
    mov64 r2, 0
    ring_size
    exit`, size)
	p, err := asm.Assemble(src, sbpf.V0, &asm.Options{Aliases: aliases})
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	m := vm.NewMachine()
	res := exe.Run(m, vm.RunOptions{Budget: 10_000})
	if res.Err != nil || res.R0 != 1 {
		t.Fatalf("%+v", res)
	}
	ringMem, _ := m.ReadMemory(sbpf.HeapStart, size)
	msgs, err := Messages(ringMem, 0)
	if err != nil || len(msgs) != 1 || msgs[0][0] != 77 {
		t.Fatalf("messages %x %v", msgs, err)
	}
	// The undo log of a push holds the slot's header and message and the
	// head: 16 + 8 + 8 bytes.
	reg2 := syscalls.NewRegistry()
	_ = Register(reg2)
	_ = txmem.Register(reg2)
	var logged uint64
	reg2.MustRegister("test_logged", func(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
		logged = txmem.OpenLog(m).Bytes()
		return 0, nil
	})
	p, err = asm.Assemble(strings.Replace(src, "tx_abort", "syscall test_logged\n    tx_abort", 1), sbpf.V0, &asm.Options{Aliases: aliases})
	if err != nil {
		t.Fatal(err)
	}
	exe, _ = vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg2, vm.DefaultConfig())
	if res := exe.Run(vm.NewMachine(), vm.RunOptions{Budget: 10_000}); res.Err != nil {
		t.Fatal(res.Err)
	}
	if logged != SlotHeaderSize+8+8 {
		t.Fatalf("a push logged %d bytes", logged)
	}
}

func TestPrices(t *testing.T) {
	inMachine(t, nil, func(m *vm.Machine) {
		size, _ := Size(4, 200)
		if c := do(m, sysCreate, heap, size, 4, 200); c.err != nil || c.cu != CostCreate {
			t.Fatalf("create %+v", c)
		}
		for _, n := range []uint64{0, 1, 64, 65, 200} {
			if c := do(m, sysPush, heap, heap+8192, n); c.err != nil || c.cu != PushCost(n) {
				t.Fatalf("push %d: %+v, want %d", n, c, PushCost(n))
			}
			if c := do(m, sysPeek, heap, 0, heap+16384, 200); c.err != nil || c.cu != ReadCost(n) {
				t.Fatalf("peek %d: %+v", n, c)
			}
			if c := do(m, sysPop, heap, 0, heap+16384, 200); c.err != nil || c.cu != ReadCost(n) {
				t.Fatalf("pop %d: %+v", n, c)
			}
		}
		if c := do(m, sysPop, heap, 0, heap+16384, 200); c.r0 != Empty || c.cu != CostReadBase {
			t.Fatalf("empty pop %+v", c)
		}
		if c := do(m, sysSize, heap, 0); c.cu != CostSize {
			t.Fatalf("size %+v", c)
		}
	})
	if PushCost(1<<64-1) != CostPushBase+1<<54 || PushCost(0) != CostPushBase+1 {
		t.Fatal("PushCost of the largest length")
	}
}

func TestFormatAndMessages(t *testing.T) {
	b := make([]byte, 1000)
	if _, err := Format(b, 100, 100, 1); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("too small: %v", err)
	}
	size, err := Format(b, 3, 8, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := Size(3, 8); size != want {
		t.Fatal("size")
	}
	if msgs, err := Messages(b, 1); err != nil || len(msgs) != 0 {
		t.Fatalf("%v %v", msgs, err)
	}
	if _, err := Messages(b, 2); !errors.Is(err, ErrInvalidConsumer) {
		t.Fatal(err)
	}
	if _, err := Messages(b[:size-1], 0); !errors.Is(err, ErrRingCorrupt) {
		t.Fatal(err)
	}
	if _, err := ParseHeader(b[:HeaderSize-1]); !errors.Is(err, ErrRingCorrupt) {
		t.Fatal(err)
	}
	// The syscalls read a ring formatted by the host.
	input := bytes.Clone(b[:size])
	inMachine(t, input, func(m *vm.Machine) {
		mustOK(t, do(m, sysSize, sbpf.InputStart, 1), 0)
	})
}

func TestErrorKinds(t *testing.T) {
	for k := KindRingCorrupt; k <= KindInvalidArgument; k++ {
		e := errorf(k, "x")
		if strings.HasPrefix(k.String(), "ErrorKind(") || vm.ErrorKindOf(&vm.Error{Kind: vm.SyscallError, Err: e}) != k.String() {
			t.Fatal(k)
		}
		if (&Error{Kind: k}).Error() != k.String() || e.Error() != k.String()+": x" {
			t.Fatal(e.Error())
		}
	}
	if ErrorKind(0).String() != "ErrorKind(0)" {
		t.Fatal("unknown kind")
	}
}
