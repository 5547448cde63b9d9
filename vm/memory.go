package vm

import (
	"encoding/binary"
	"math"
	"unsafe"

	"github.com/agora-vm/agora/sbpf"
)

// numRegionSlots covers rodata (V3+), bytecode, stack, heap and input.
const numRegionSlots = 5

// slotMask indexes the slot array without a bounds check; slots 5-7 are
// never present.
const slotMask = 7

// region is one mapped range of guest memory. Regions sit in the slot
// given by the top 32 bits of their start address.
type region struct {
	host     []byte
	start    uint64 // first guest address
	end      uint64 // one past the last guest address (twice len(host) when gapped)
	writable bool
	gapped   bool // V0 stack: every other frame-sized chunk is unmapped
	present  bool
	dirty    uint64 // host bytes [0, dirty) may have been written

	// Fast-path limits by access size class (1, 2, 4, 8 bytes): an access
	// of that size at host offset off is in bounds iff off < lim. Zero for
	// stores to read-only regions, which take the slow path.
	loadLim  [4]uint64
	storeLim [4]uint64
	base     unsafe.Pointer // &host[0], or nil when empty
	gapShift uint           // log2 of the gap size for a gapped region, else 0
}

// memoryMap is the guest address space of one Machine. It reproduces the
// reference's MemoryMapping for the standard layout: an access succeeds
// only if it lies wholly in one region (and that region is writable, for
// stores); in a gapped stack the start must not be in a gap.
type memoryMap struct {
	slots         [slotMask + 1]region
	watcher       WriteWatcher // told of writes to the input and heap regions
	frameSize     uint64
	gapShift      uint
	maxCallDepth  int64
	dynamicFrames bool
}

// translate returns the host bytes behind [addr, addr+n), or a fault.
func (mm *memoryMap) translate(acc AccessType, addr, n uint64) ([]byte, *Error) {
	if idx := addr >> 32; idx < numRegionSlots {
		r := &mm.slots[idx]
		if r.present && (acc == Load || r.writable) && addr >= r.start {
			off := addr - r.start
			if r.gapped {
				if (off>>mm.gapShift)&1 == 0 {
					mask := ^uint64(0) << mm.gapShift
					off = (off&mask)>>1 | off&^mask
				} else {
					off = math.MaxUint64
				}
			}
			if off <= uint64(len(r.host)) && n <= uint64(len(r.host))-off {
				b := r.host[off : off+n : off+n]
				if acc == Store {
					if off+n > r.dirty {
						r.dirty = off + n
					}
					if mm.watcher != nil && watchedSlot(idx) {
						mm.watcher.BeforeWrite(addr, b)
					}
				}
				return b, nil
			}
		}
	}
	return nil, mm.violation(acc, addr, n)
}

// violation builds the reference's error for a failed access.
func (mm *memoryMap) violation(acc AccessType, addr, n uint64) *Error {
	// The reference reports a stack frame number for any address within a
	// frame of the stack (frames -1 ..= max depth) when frames are fixed.
	diff := int64(addr) - int64(sbpf.StackStart)
	if int64(addr) < 0 && diff > 0 { // saturating_sub underflowed
		diff = math.MinInt64
	}
	frame := diff / int64(mm.frameSize)
	if !mm.dynamicFrames && frame >= -1 && frame <= mm.maxCallDepth {
		return &Error{Kind: StackAccessViolation, Access: acc, Addr: addr, Len: n, Frame: frame}
	}
	return &Error{Kind: AccessViolation, Access: acc, Addr: addr, Len: n, Region: mm.regionName(addr)}
}

// regionName mirrors the reference: "unallocated" unless the region that
// the address would be looked up in contains it, else a name from the
// address's upper bits.
func (mm *memoryMap) regionName(addr uint64) string {
	if !mm.contains(addr) {
		return "unallocated"
	}
	switch addr &^ (sbpf.RegionSize - 1) {
	case sbpf.BytecodeStart:
		return "program"
	case sbpf.StackStart:
		return "stack"
	case sbpf.HeapStart:
		return "heap"
	case sbpf.InputStart:
		return "input"
	}
	return "allocated"
}

func (mm *memoryMap) contains(addr uint64) bool {
	idx := addr >> 32
	if idx >= numRegionSlots {
		return false
	}
	r := &mm.slots[idx]
	return r.present && addr >= r.start && addr < r.end
}

func (mm *memoryMap) set(start uint64, host []byte, writable, gapped bool) {
	r := &mm.slots[start>>32]
	// Field by field: a composite literal is built on the stack and copied
	// with 16-byte loads of its 8-byte stores, which stall on store
	// forwarding (a run maps four regions before its first instruction).
	*r = region{}
	r.host, r.start, r.writable, r.gapped, r.present = host, start, writable, gapped, true
	size := uint64(len(host))
	if gapped {
		size *= 2
	}
	r.end = start + size
	if len(host) > 0 {
		r.base = unsafe.Pointer(unsafe.SliceData(host))
	}
	if gapped {
		r.gapShift = mm.gapShift
	}
	{
		for i, n := range [4]uint64{1, 2, 4, 8} {
			if uint64(len(host)) >= n {
				r.loadLim[i] = uint64(len(host)) - n + 1
				if writable {
					r.storeLim[i] = r.loadLim[i]
				}
			}
		}
	}
}

func (mm *memoryMap) load(addr uint64, size uint8) (uint64, *Error) {
	b, err := mm.translate(Load, addr, uint64(size))
	if err != nil {
		return 0, err
	}
	switch size {
	case 1:
		return uint64(b[0]), nil
	case 2:
		return uint64(binary.LittleEndian.Uint16(b)), nil
	case 4:
		return uint64(binary.LittleEndian.Uint32(b)), nil
	}
	return binary.LittleEndian.Uint64(b), nil
}

func (mm *memoryMap) store(addr uint64, size uint8, v uint64) *Error {
	b, err := mm.translate(Store, addr, uint64(size))
	if err != nil {
		return err
	}
	switch size {
	case 1:
		b[0] = byte(v)
	case 2:
		binary.LittleEndian.PutUint16(b, uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b, uint32(v))
	default:
		binary.LittleEndian.PutUint64(b, v)
	}
	return nil
}

// watchedSlot reports whether a WriteWatcher sees writes to slot idx: the
// heap and the input, the memory a program's transaction can change.
func watchedSlot(idx uint64) bool {
	return idx == sbpf.HeapStart>>32 || idx == sbpf.InputStart>>32
}

// setWatcher installs w (or removes it, when nil). While one is installed,
// stores to watched regions take the slow path, so the inline fast path
// costs nothing extra when no watcher exists.
func (mm *memoryMap) setWatcher(w WriteWatcher) {
	mm.watcher = w
	for idx := range uint64(numRegionSlots) {
		if !watchedSlot(idx) {
			continue
		}
		r := &mm.slots[idx]
		for i, n := range [4]uint64{1, 2, 4, 8} {
			r.storeLim[i] = 0
			if w == nil && r.writable && uint64(len(r.host)) >= n {
				r.storeLim[i] = uint64(len(r.host)) - n + 1
			}
		}
	}
}
