package vm

import (
	"fmt"

	"github.com/agora-vm/agora/sbpf"
)

// Program is a loaded sBPF program, before predecoding: what an assembler
// or ELF loader produces.
type Program struct {
	Version sbpf.Version

	// Text holds the instruction slots; TextVAddr is the guest address of
	// Text[0] (callx targets are computed from it).
	Text      []byte
	TextVAddr uint64

	// ROData is mapped read-only at RODataVAddr. For V0-V2 it covers the
	// text as well (the bytecode region); from V3 it sits at 0.
	ROData      []byte
	RODataVAddr uint64

	// Entry is the instruction index where execution starts.
	Entry int

	// Functions maps a call key to an instruction index: in V0-V2 `call imm`
	// looks imm up here (after the syscalls); in V3+ it only records the
	// functions (calls are pc-relative).
	Functions map[uint32]int
}

// NewRawProgram builds a Program from bare instruction bytes as the
// reference's Executable::from_text_bytes does: the text is also the
// read-only region (at the bytecode region in V0-V2, at 0 from V3), and the
// entry point is the function registered as "entrypoint", else 0.
func NewRawProgram(v sbpf.Version, text []byte, functions map[uint32]int, entry int) *Program {
	ro := sbpf.BytecodeStart
	if v.LowerRodataVaddr() {
		ro = sbpf.RodataStart
	}
	return &Program{
		Version:     v,
		Text:        text,
		TextVAddr:   sbpf.BytecodeStart,
		ROData:      text,
		RODataVAddr: ro,
		Entry:       entry,
		Functions:   functions,
	}
}

// Config holds the limits of a run. A zero MaxCallDepth or StackFrameSize
// means the default; HeapSize is taken as given (0 maps an empty heap, as
// the reference's own tests do). DefaultConfig is Agave's.
type Config struct {
	MaxCallDepth   int  // frames including the entry frame; 64 by default
	StackFrameSize int  // bytes per frame; 4096 by default
	HeapSize       int  // bytes of heap at 0x300000000; see DefaultConfig
	NoStackGaps    bool // disable V0's frame gaps (the reference's enable_stack_frame_gaps=false)
}

// DefaultConfig is Agave's: 64 frames of 4 KiB and a 32 KiB heap.
func DefaultConfig() Config {
	return Config{MaxCallDepth: sbpf.MaxCallDepth, StackFrameSize: sbpf.StackFrameSize, HeapSize: sbpf.DefaultHeapSize}
}

func (c Config) withDefaults() Config {
	if c.MaxCallDepth <= 0 {
		c.MaxCallDepth = sbpf.MaxCallDepth
	}
	if c.StackFrameSize <= 0 {
		c.StackFrameSize = sbpf.StackFrameSize
	}
	if c.HeapSize < 0 {
		c.HeapSize = 0
	}
	return c
}

func (c Config) validate() error {
	if c.StackFrameSize&(c.StackFrameSize-1) != 0 {
		return fmt.Errorf("vm: stack frame size %d is not a power of two", c.StackFrameSize)
	}
	if c.MaxCallDepth > 1024 {
		return fmt.Errorf("vm: max call depth %d exceeds 1024", c.MaxCallDepth)
	}
	if c.HeapSize > 64<<20 {
		return fmt.Errorf("vm: heap size %d exceeds 64 MiB", c.HeapSize)
	}
	return nil
}
