package sbpf

// Memory map constants. Each region spans 4 GiB and its index is the
// address shifted right by 32.
const (
	RegionSize    uint64 = 1 << 32
	RodataStart   uint64 = 0              // V3+ read-only data
	BytecodeStart uint64 = RegionSize     // V0-V2 text and read-only data
	StackStart    uint64 = RegionSize * 2 // call stack
	HeapStart     uint64 = RegionSize * 3 // heap
	InputStart    uint64 = RegionSize * 4 // program input, r1 points here

	InsnSize        = 8     // bytes per instruction slot
	MaxInsns        = 65536 // PROG_MAX_INSNS of the reference
	StackFrameSize  = 4096  // bytes per call frame
	MaxCallDepth    = 64    // frames, including the entry frame
	FramePointerReg = 10    // r10
	FirstScratchReg = 6     // r6..r9 are saved across calls
	ScratchRegs     = 4
	DefaultHeapSize = 32 * 1024
	MaxHeapSize     = 256 * 1024
)
