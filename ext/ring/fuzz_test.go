package ring

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// modelRing is the specification: a list of messages and a cursor per
// consumer, with the overrun rule.
type modelRing struct {
	capacity uint64
	msgs     [][]byte // every message ever pushed, by sequence number
	cursors  []uint64
}

func (r *modelRing) push(msg []byte) uint64 {
	for _, c := range r.cursors {
		if uint64(len(r.msgs))-c >= r.capacity {
			return 1
		}
	}
	r.msgs = append(r.msgs, bytes.Clone(msg))
	return 0
}

// checkRingOps drives a ring with operations decoded from data and
// compares every result with the model.
func checkRingOps(t *testing.T, data []byte) {
	if len(data) < 3 {
		return
	}
	capacity := uint64(data[0]%7 + 1)
	maxMsg := uint64(data[1]%40 + 1)
	consumers := uint64(data[2]%4 + 1)
	data = data[3:]
	md := &modelRing{capacity: capacity, cursors: make([]uint64, consumers)}
	const ringAt, msgAt, outAt = sbpf.HeapStart, sbpf.HeapStart + 8192, sbpf.HeapStart + 16384
	size, _ := Size(capacity, maxMsg)
	inMachine(t, nil, func(m *vm.Machine) {
		mustOK(t, do(m, sysCreate, ringAt, size, CapacityArg(uint32(capacity), uint8(consumers)), maxMsg), 0)
		mem := func(addr, n uint64) []byte { b, _ := m.Translate(vm.Store, addr, n); return b }
		for i := 0; i+1 < len(data); i += 2 {
			op, arg := data[i]%4, uint64(data[i+1])
			switch op {
			case 0:
				n := arg % (maxMsg + 1)
				msg := mem(msgAt, maxMsg)
				for j := range msg {
					msg[j] = byte(i + j)
				}
				mustOK(t, do(m, sysPush, ringAt, msgAt, n), md.push(msg[:n]))
			case 1, 2:
				c := arg % consumers
				r := do(m, [2]vm.SyscallFunc{sysPop, sysPeek}[op-1], ringAt, c, outAt, maxMsg)
				cur := md.cursors[c]
				if cur == uint64(len(md.msgs)) {
					mustOK(t, r, Empty)
					continue
				}
				want := md.msgs[cur]
				mustOK(t, r, uint64(len(want)))
				if got := mem(outAt, uint64(len(want))); !bytes.Equal(got, want) {
					t.Fatalf("message %d: got %x, want %x", cur, got, want)
				}
				if op == 1 {
					md.cursors[c]++
				}
			default:
				c := arg % consumers
				mustOK(t, do(m, sysSize, ringAt, c), uint64(len(md.msgs))-md.cursors[c])
			}
		}
		h, err := ParseHeader(mem(ringAt, size))
		if err != nil || h.Head != uint64(len(md.msgs)) {
			t.Fatalf("header %+v, %v; model pushed %d", h, err, len(md.msgs))
		}
		msgs, err := Messages(mem(ringAt, size), 0)
		if err != nil || len(msgs) != len(md.msgs)-int(md.cursors[0]) {
			t.Fatalf("Messages: %d, %v", len(msgs), err)
		}
	})
}

func FuzzRingOps(f *testing.F) {
	f.Add([]byte{2, 8, 1, 0, 3, 0, 4, 1, 0, 1, 0, 3, 0})
	f.Add([]byte{0, 39, 3, 0, 0, 0, 1, 0, 2, 1, 1, 2, 2, 3, 1})
	f.Fuzz(func(t *testing.T, data []byte) { checkRingOps(t, data) })
}

// FuzzRingMemory runs every syscall over arbitrary bytes posing as a ring:
// each either succeeds or fails with one of the package's kinds or the
// VM's AccessViolation, and never panics.
func FuzzRingMemory(f *testing.F) {
	good := make([]byte, 600)
	if _, err := Format(good, 3, 40, 2); err != nil {
		f.Fatal(err)
	}
	f.Add(good, uint64(0), uint64(10))
	f.Add(good[:200], uint64(1), uint64(0))
	f.Fuzz(func(t *testing.T, ringBytes []byte, consumer, n uint64) {
		input := bytes.Clone(ringBytes)
		inMachine(t, input, func(m *vm.Machine) {
			const in = sbpf.InputStart
			out := sbpf.HeapStart
			for _, c := range []call{
				do(m, sysSize, in, consumer),
				do(m, sysPeek, in, consumer, out, n),
				do(m, sysPop, in, consumer, out, n),
				do(m, sysPush, in, out, n%100),
				do(m, sysCreate, in, uint64(len(input)), n, consumer%100),
			} {
				switch c.kind() {
				case "", "RingCorrupt", "MessageTooLarge", "InvalidConsumer", "InvalidArgument", "AccessViolation":
				default:
					t.Fatalf("unexpected failure %v", c.err)
				}
			}
		})
	})
}

// TestRingModel runs random operation sequences without -fuzz.
func TestRingModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		data := make([]byte, 3+rng.IntN(300))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		checkRingOps(t, data)
	}
}
