package syscalls

import "github.com/agora-vm/agora/sbpf"

// The interfaces below are everything the standard syscalls need from the
// world outside the VM. The run's vm.RunOptions.Context implements those it
// supports; Context implements all of them.

// LogSink receives complete log lines ("Program log: hi", "Program data:
// ..."). A run whose Context is not a LogSink drops its logs, as Agave does
// when it has no log collector.
type LogSink interface {
	Log(msg string)
}

// LogCapacity is optionally implemented by a LogSink with a byte limit. It
// lets sol_log_data stop encoding once the line can only be truncated, as
// Agave does; the lines logged are the same either way.
type LogCapacity interface {
	// LogBytesLeft returns the bytes the sink still accepts, and whether it
	// has a limit at all.
	LogBytesLeft() (n uint64, limited bool)
}

// ReturnDataStore keeps the return data of the transaction: the program that
// set it last and the bytes. sol_set_return_data and sol_get_return_data
// need it.
type ReturnDataStore interface {
	SetReturnData(programID [32]byte, data []byte) // data is owned by the store
	ReturnData() (programID [32]byte, data []byte)
}

// ProgramIdentity names the program being run; sol_set_return_data records
// it with the data.
type ProgramIdentity interface {
	ProgramID() [32]byte
}

// HeapAllocator serves sol_alloc_free_: it reserves size bytes aligned to
// align (a power of two) in the heap region, which starts at
// sbpf.HeapStart and is heapLen bytes long, and returns the guest address,
// or ok=false when the heap is exhausted.
type HeapAllocator interface {
	Alloc(size, align, heapLen uint64) (addr uint64, ok bool)
}

// AlignmentPolicy says whether typed pointers must be aligned (Agave's
// check_aligned, false only for programs of the deprecated loader). A
// Context that does not implement it gets aligned checks.
type AlignmentPolicy interface {
	CheckAligned() bool
}

// DefaultLogBytesLimit is Agave's limit on the bytes of log messages one
// transaction may record (LOG_MESSAGES_BYTES_LIMIT).
const DefaultLogBytesLimit = 10_000

// LogCollector records log lines as Agave's LogCollector does: a line that
// would bring the bytes recorded to the limit or beyond is dropped, the
// first such drop records a single "Log truncated" line, and a later line
// that still fits is recorded. The zero value has Agave's 10,000-byte limit.
type LogCollector struct {
	// Limit is the byte limit; 0 means DefaultLogBytesLimit and a negative
	// value means no limit.
	Limit int

	messages  []string
	written   int
	truncated bool
}

func (l *LogCollector) limit() (int, bool) {
	switch {
	case l.Limit < 0:
		return 0, false
	case l.Limit == 0:
		return DefaultLogBytesLimit, true
	}
	return l.Limit, true
}

// Log records msg, or truncates.
func (l *LogCollector) Log(msg string) {
	if l.messages == nil {
		// An instruction logs at least its invoke, consumed and result
		// lines: start with room for a few.
		l.messages = make([]string, 0, 8)
	}
	lim, limited := l.limit()
	if !limited {
		l.messages = append(l.messages, msg)
		return
	}
	if l.written+len(msg) >= lim {
		if !l.truncated {
			l.truncated = true
			l.messages = append(l.messages, "Log truncated")
		}
		return
	}
	l.written += len(msg)
	l.messages = append(l.messages, msg)
}

// LogBytesLeft implements LogCapacity.
func (l *LogCollector) LogBytesLeft() (uint64, bool) {
	lim, limited := l.limit()
	if !limited {
		return 0, false
	}
	return uint64(max(lim-l.written, 0)), true
}

// Messages returns the recorded lines. The slice is the collector's own.
func (l *LogCollector) Messages() []string { return l.messages }

// Truncated reports whether a line was dropped for the limit.
func (l *LogCollector) Truncated() bool { return l.truncated }

// BytesWritten returns the bytes of the lines recorded (not counting the
// "Log truncated" marker).
func (l *LogCollector) BytesWritten() int { return l.written }

// Reset forgets every line, keeping the limit.
func (l *LogCollector) Reset() {
	l.messages, l.written, l.truncated = l.messages[:0], 0, false
}

// BumpAllocator is Agave's BpfAllocator: it hands out the heap from its
// start, aligning each block, and never frees. The zero value has allocated
// nothing.
type BumpAllocator struct {
	pos uint64 // bytes of the heap used so far
}

// Alloc implements HeapAllocator.
func (a *BumpAllocator) Alloc(size, align, heapLen uint64) (uint64, bool) {
	if align == 0 || align&(align-1) != 0 {
		return 0, false
	}
	pad := (align - a.pos&(align-1)) & (align - 1)
	if satAdd(satAdd(a.pos, pad), size) > heapLen {
		return 0, false
	}
	addr := sbpf.HeapStart + a.pos + pad
	a.pos += pad + size
	return addr, true
}

// Used returns the bytes of the heap handed out so far, padding included.
func (a *BumpAllocator) Used() uint64 { return a.pos }

// Reset makes the whole heap available again.
func (a *BumpAllocator) Reset() { a.pos = 0 }

// Context is the syscall context of a raw run: one program, one
// instruction, no accounts. It implements every interface of this package.
// Use one Context per run, or Reset it between runs; it is not safe for
// concurrent use.
type Context struct {
	// Program is the id recorded with return data.
	Program [32]byte
	// Logs collects the log lines.
	Logs LogCollector
	// Heap serves sol_alloc_free_.
	Heap BumpAllocator
	// Unaligned turns off the alignment checks of typed pointers, as for
	// programs of the deprecated loader.
	Unaligned bool

	returnProgram [32]byte
	returnData    []byte
}

// NewContext returns a Context for the program with the given id.
func NewContext(programID [32]byte) *Context { return &Context{Program: programID} }

// Log implements LogSink.
func (c *Context) Log(msg string) { c.Logs.Log(msg) }

// LogBytesLeft implements LogCapacity.
func (c *Context) LogBytesLeft() (uint64, bool) { return c.Logs.LogBytesLeft() }

// Messages returns the log lines recorded so far.
func (c *Context) Messages() []string { return c.Logs.Messages() }

// ProgramID implements ProgramIdentity.
func (c *Context) ProgramID() [32]byte { return c.Program }

// SetReturnData implements ReturnDataStore.
func (c *Context) SetReturnData(programID [32]byte, data []byte) {
	c.returnProgram, c.returnData = programID, data
}

// ReturnData implements ReturnDataStore.
func (c *Context) ReturnData() ([32]byte, []byte) { return c.returnProgram, c.returnData }

// Alloc implements HeapAllocator.
func (c *Context) Alloc(size, align, heapLen uint64) (uint64, bool) {
	return c.Heap.Alloc(size, align, heapLen)
}

// CheckAligned implements AlignmentPolicy.
func (c *Context) CheckAligned() bool { return !c.Unaligned }

// Reset clears logs, return data and the heap for another run, keeping the
// program id, the log limit and the alignment policy.
func (c *Context) Reset() {
	c.Logs.Reset()
	c.Heap.Reset()
	c.returnProgram, c.returnData = [32]byte{}, nil
}
