package bench

import (
	"fmt"

	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/ext/ring"
	"github.com/agora-vm/agora/ext/txmem"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/vm"
)

// txmemSamples calibrates transactional memory. tx_begin and the two
// closing calls only make sense in pairs, so they are measured as
// begin+commit and begin+abort around k eight-byte stores to the input:
// the stores run in the baseline too (outside a transaction, on the fast
// path), so what remains is the pair plus the watching and undo work it
// charges for (per write and per saved byte).
func txmemSamples() ([]CostSample, error) {
	out := []CostSample{{Syscall: txmem.NameTest, Price: txmem.CostTest, CheckR0: wantR0(0)}}
	for _, k := range []uint64{0, 8, 64} {
		input := make([]byte, 8*max(k, 1))
		var stores string
		if k > 0 {
			stores = fmt.Sprintf("    lddw r6, %#x\n", sbpf.InputStart)
			for i := range k {
				stores += fmt.Sprintf("    stxdw [r6+%d], r6\n", 8*i)
			}
		}
		for _, closing := range []struct {
			name string
			cost func(writes, bytes uint64) uint64
		}{{txmem.NameCommit, txmem.CommitCost}, {txmem.NameAbort, txmem.AbortCost}} {
			out = append(out, CostSample{
				Syscall: txmem.NameBegin, Then: closing.name, Between: stores,
				Op: fmt.Sprintf("%d stores", k), Size: k, Unit: "8-byte stores", Units: k,
				Price: txmem.CostBegin + closing.cost(k, 8*k), Input: input,
			})
		}
	}
	return out, nil
}

// ringSamples calibrates ring buffers on a ring formatted in the input:
// create and size are stateless; push and pop are measured as a pair,
// which leaves the ring empty again.
func ringSamples() ([]CostSample, error) {
	var out []CostSample
	for _, n := range []uint64{8, 256, 1024} {
		const capacity = 4
		size, ok := ring.Size(capacity, n)
		if !ok {
			return nil, fmt.Errorf("ring of %d-byte messages", n)
		}
		// [ring | message | pop buffer]
		input := make([]byte, size+2*n)
		if _, err := ring.Format(input[:size], capacity, n, 1); err != nil {
			return nil, err
		}
		base := sbpf.InputStart
		msg, buf := base+size, base+size+n
		out = append(out, CostSample{
			Syscall: ring.NamePush, Then: ring.NamePop, Size: n, Unit: "message bytes", Units: n,
			Price: ring.PushCost(n) + ring.ReadCost(n), Input: input,
			Args: [5]uint64{base, msg, n}, ThenArgs: [5]uint64{base, 0, buf, n},
			CheckR0: wantR0(n),
		})
		// peek is stateless on a ring holding one message, which a real
		// push puts there.
		pending := append([]byte(nil), input...)
		if err := pushOnce(pending, base, msg, n); err != nil {
			return nil, err
		}
		out = append(out, CostSample{
			Syscall: ring.NamePeek, Size: n, Unit: "message bytes", Units: n,
			Price: ring.ReadCost(n), Input: pending,
			Args: [5]uint64{base, 0, buf, n}, CheckR0: wantR0(n),
		})
		if n == 8 {
			out = append(out,
				CostSample{Syscall: ring.NameCreate, Price: ring.CostCreate, Input: input,
					Args: [5]uint64{base, size, ring.CapacityArg(capacity, 1), n}},
				CostSample{Syscall: ring.NameSize, Price: ring.CostSize, Input: input,
					Args: [5]uint64{base, 0}, CheckR0: wantR0(0)})
		}
	}
	return out, nil
}

// wantR0 accepts exactly r0 = v.
func wantR0(v uint64) func(uint64) error {
	return func(r0 uint64) error {
		if r0 != v {
			return fmt.Errorf("r0 = %d, want %d", r0, v)
		}
		return nil
	}
}

// pushOnce runs agora_ring_push once on the ring at the start of input.
func pushOnce(input []byte, ringAddr, msg, n uint64) error {
	src := fmt.Sprintf("lddw r1, %#x\nlddw r2, %#x\nmov64 r3, %d\nsyscall %s\nexit\n", ringAddr, msg, n, ring.NamePush)
	p, err := asm.Assemble(src, sbpf.V0, nil)
	if err != nil {
		return err
	}
	reg := vm.NewRegistry()
	if err := ring.Register(reg); err != nil {
		return err
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
	if err != nil {
		return err
	}
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: 1000})
	if res.Err != nil || res.R0 != 0 {
		return fmt.Errorf("priming the ring: r0=%d %v", res.R0, res.Err)
	}
	return nil
}

// lanesSpawnPC is the instruction index of the child the lanes samples
// spawn: Between jumps over it, so it sits at slot 13 of the loop program
// (mov64 r9; five lddw of two slots each; the call; ja).
const lanesSpawnPC = 13

// lanesSamples calibrates parallel lanes: a spawn only makes sense with
// its merge, so it is measured as spawn+join and spawn+fence of a child
// that returns at once (2 CU of its own, charged at the merge), with the heap and input
// the program has; atomics on a word of the input.
func lanesSamples() ([]CostSample, error) {
	heap := uint64(vm.DefaultConfig().HeapSize)
	var out []CostSample
	for _, in := range []uint64{8, 32 * kib, 96 * kib} {
		copied := lanes.CopyCost(heap + in)
		out = append(out, CostSample{
			Syscall: lanes.NameSpawn, Then: lanes.NameJoin, ThenTakesR0: true,
			Size: heap + in, Unit: "bytes of heap and input", Units: (heap + in) / kib, UnitsOf: "KiB copied and compared",
			Args:    [5]uint64{lanesSpawnPC, 0, 0, 1000},
			Between: "    ja lanes_skip\n    mov64 r0, 0\n    exit\nlanes_skip:\n",
			Price:   lanes.CostSpawn + copied + lanes.CostJoin + 2 + copied,
			Input:   make([]byte, in),
			CheckR0: func(uint64) error { return nil },
		}, CostSample{
			Syscall: lanes.NameSpawn, Then: lanes.NameFence,
			Size: heap + in, Unit: "bytes of heap and input", Units: (heap + in) / kib, UnitsOf: "KiB copied and compared",
			Args:    [5]uint64{lanesSpawnPC, 0, 0, 1000},
			Between: "    ja lanes_skip\n    mov64 r0, 0\n    exit\nlanes_skip:\n",
			// spawn, the fence, the child's 2 CU and the merge's comparison
			Price:   lanes.CostSpawn + copied + lanes.CostFence + 2 + copied,
			Input:   make([]byte, in),
			CheckR0: func(uint64) error { return nil },
		})
	}
	word := sbpf.InputStart
	any := func(uint64) error { return nil }
	out = append(out,
		CostSample{Syscall: lanes.NameAtomicLoad, Args: [5]uint64{word}, Price: lanes.CostAtomic, Input: make([]byte, 8), CheckR0: any},
		CostSample{Syscall: lanes.NameAtomicStore, Args: [5]uint64{word, 7}, Price: lanes.CostAtomic, Input: make([]byte, 8), CheckR0: any},
		CostSample{Syscall: lanes.NameAtomicCAS, Args: [5]uint64{word, 7, 7}, Price: lanes.CostAtomic, Input: make([]byte, 8), CheckR0: any},
	)
	return out, nil
}
