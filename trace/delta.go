package trace

import (
	"encoding/binary"
	"io"

	"github.com/klauspost/compress/zstd"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// DeltaRecorder is the design this package does not use, kept so that
// agora bench trace can measure it against the one it does: a record of
// every instruction's effect — its pc, the registers it changed and the
// bytes a store wrote — as the proposal sketches. It reaches any position
// as the checkpoint design does (apply deltas forward from the start),
// but it must stop at every instruction and writes bytes for each, while
// the checkpoint design lets the interpreter run freely and re-executes
// on demand.
type DeltaRecorder struct {
	buf   []byte
	prev  [11]uint64
	prevP int
	store bool // the previous instruction was a store
	addr  uint64
	size  uint64
	n     uint64
	text  []byte
}

// NewDeltaRecorder returns a recorder for a run of p.
func NewDeltaRecorder(p *vm.Program) *DeltaRecorder {
	return &DeltaRecorder{text: p.Text, prevP: -1}
}

// Step records the effect of the previous instruction and notes what the
// next one may store.
func (r *DeltaRecorder) Step(m *vm.Machine, pc int) {
	regs := m.Registers()
	if r.prevP >= 0 {
		r.buf = binary.AppendUvarint(r.buf, uint64(r.prevP))
		var mask uint16
		for i := range regs {
			if regs[i] != r.prev[i] {
				mask |= 1 << i
			}
		}
		r.buf = binary.AppendUvarint(r.buf, uint64(mask))
		for i := range regs {
			if mask&(1<<i) != 0 {
				r.buf = binary.AppendUvarint(r.buf, regs[i])
			}
		}
		if r.store {
			if b, err := m.Translate(vm.Load, r.addr, r.size); err == nil {
				r.buf = binary.AppendUvarint(r.buf, r.addr)
				r.buf = append(r.buf, b...)
			}
		}
	}
	r.prev, r.prevP, r.store = regs, pc, false
	r.n++
	if (pc+1)*sbpf.InsnSize <= len(r.text) {
		ins := sbpf.Decode(r.text[pc*sbpf.InsnSize:])
		op := uint8(ins.Op)
		if c := op & 0x07; (c == 0x02 || c == 0x03) && ins.Dst < 11 { // BPF_ST, BPF_STX
			r.store = true
			r.addr = regs[ins.Dst] + uint64(int64(ins.Off))
			r.size = [4]uint64{4, 2, 1, 8}[(op>>3)&3]
		}
	}
}

// Size returns the bytes recorded and their zstd-compressed size.
func (r *DeltaRecorder) Size() (raw, compressed int) {
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return len(r.buf), len(r.buf)
	}
	defer zw.Close()
	return len(r.buf), len(zw.EncodeAll(r.buf, nil))
}

// Encode writes the compressed deltas, as a recording must.
func (r *DeltaRecorder) Encode(w io.Writer) error {
	zw, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return err
	}
	if _, err := zw.Write(r.buf); err != nil {
		zw.Close()
		return err
	}
	return zw.Close()
}
