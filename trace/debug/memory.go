package debug

import (
	"fmt"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// ReadMemory reads n guest bytes at addr from a state, as a load would
// see them: read-only program data, stack (with V0's gaps), heap or
// input. Stack and heap bytes past what the state holds are zero.
func (d *Debugger) ReadMemory(st *vm.State, addr, n uint64) ([]byte, error) {
	if n > 1<<20 {
		return nil, fmt.Errorf("read of %d bytes is too large", n)
	}
	p, c := d.t.Program, d.t.Config
	out := make([]byte, n)
	fail := func() ([]byte, error) {
		return nil, fmt.Errorf("address %#x (%d bytes) is not mapped", addr, n)
	}
	switch addr >> 32 {
	case p.RODataVAddr >> 32:
		off := addr - p.RODataVAddr
		if addr < p.RODataVAddr || off+n > uint64(len(p.ROData)) || off+n < off {
			return fail()
		}
		copy(out, p.ROData[off:])
	case sbpf.StackStart >> 32:
		fs := uint64(max(c.StackFrameSize, 1))
		size := uint64(max(c.MaxCallDepth, 1)) * fs
		gapped := p.Version.StackFrameGaps() && !c.NoStackGaps
		for i := range n {
			a := addr + i - sbpf.StackStart
			if gapped {
				if (a/fs)%2 == 1 {
					return fail()
				}
				a = a/(2*fs)*fs + a%fs
			}
			if a >= size {
				return fail()
			}
			if a < uint64(len(st.Stack)) {
				out[i] = st.Stack[a]
			}
		}
	case sbpf.HeapStart >> 32:
		off := addr - sbpf.HeapStart
		if off+n > uint64(c.HeapSize) || off+n < off {
			return fail()
		}
		if off < uint64(len(st.Heap)) {
			copy(out, st.Heap[off:])
		}
	case sbpf.InputStart >> 32:
		off := addr - sbpf.InputStart
		if off+n > uint64(len(st.Input)) || off+n < off {
			return fail()
		}
		copy(out, st.Input[off:])
	default:
		return fail()
	}
	return out, nil
}
