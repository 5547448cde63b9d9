package trace

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"

	"github.com/klauspost/compress/zstd"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// FormatVersion is the version of the trace format this package writes
// and the only one it reads.
const FormatVersion = 2

// magic opens every trace file.
var magic = [8]byte{'A', 'G', 'O', 'R', 'A', 'T', 'R', 'C'}

// headerSize is the fixed header: magic, version, flags, body length,
// body CRC-32C.
const headerSize = 8 + 2 + 2 + 8 + 4

// MaxBodySize bounds the uncompressed body a reader accepts, so that a
// forged length cannot make it allocate without limit.
const MaxBodySize = 1 << 30

// pageSize is the granularity of checkpoint memory deltas.
const pageSize = 256

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Errors a reader returns, wrapped in a *FormatError.
var (
	ErrNotTrace  = errors.New("not an agora trace (bad magic)")
	ErrVersion   = errors.New("unsupported trace format version")
	ErrChecksum  = errors.New("checksum mismatch")
	ErrTruncated = errors.New("truncated")
	ErrCorrupt   = errors.New("corrupt")
)

// FormatError says what is wrong with a trace file and where: Offset is
// a byte offset into the file for header errors and into the
// uncompressed body otherwise.
type FormatError struct {
	Offset int64
	Field  string // what was being read
	Err    error  // one of ErrNotTrace, ErrVersion, ErrChecksum, ErrTruncated, ErrCorrupt
	Detail string
}

func (e *FormatError) Error() string {
	s := fmt.Sprintf("trace: %v", e.Err)
	if e.Field != "" {
		s += " in " + e.Field
	}
	s += fmt.Sprintf(" at offset %d", e.Offset)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func (e *FormatError) Unwrap() error { return e.Err }

// Trace is one recorded run.
type Trace struct {
	// Program is the loaded program, as the VM prepares it.
	Program *vm.Program
	// Config is the VM's limits (call depth, frame size, heap).
	Config vm.Config
	// Budget is the compute-unit limit of the run.
	Budget uint64
	// Syscalls names every syscall the program was resolved against, in
	// name order: replay registers the same set, so calls resolve alike.
	Syscalls []string
	// Features says how the run was composed (e.g. which syscall families
	// and runtime features); informational.
	Features []string
	// Input is the input region before the run.
	Input []byte
	// Interval is the number of instructions between checkpoints.
	Interval uint64
	// Debug optionally carries what a debugger needs for source lines.
	Debug DebugInfo
	// Events are the syscalls in the order they ran.
	Events []SyscallEvent
	// Checkpoints are states in instruction order; the first is at
	// instruction 0.
	Checkpoints []Checkpoint
	// Outcome is how the run ended.
	Outcome Outcome
	// Lanes are the child lanes (ext/lanes) the run spawned, at any depth,
	// in the order they started.
	Lanes []Lane

	// inputWritten, when inputKnown, bounds the input the run wrote (the
	// recorder's machine tells it): past it every checkpoint's and the
	// final input equal the initial one, so the encoder compares no
	// further.
	inputWritten int
	inputKnown   bool
}

// Lane is one child lane's run. A child is an independent run of the same
// program from its own start state with its own budget, so it is recorded
// and replayed like the top-level run: its syscalls' answers, and how it
// ended. The parent's spawn, join and fence are recorded as the parent's
// syscall events, so the parent replays without re-running its children.
type Lane struct {
	// Path names the lane by spawn handles from the top-level program
	// down: [2] is the program's second child, [2 1] that child's first.
	Path []uint64
	// Start is the state the child starts from: its pc (the function's
	// entry), registers (r1 = its argument, r10 = its frame), meter, and
	// its heap and input (the parent's input followed by the argument).
	Start *vm.State
	// Budget is the child's compute-unit limit.
	Budget  uint64
	Events  []SyscallEvent
	Outcome Outcome
}

// DebugKind says what DebugInfo.Data holds.
type DebugKind uint8

// Kinds of debug information.
const (
	DebugNone  DebugKind = iota
	DebugOVSM            // an OVSM compiler line table (JSON)
	DebugDWARF           // an ELF file with DWARF sections
	DebugLines           // one uvarint source line per slot (assembly)
)

// DebugInfo is source information carried in the trace.
type DebugInfo struct {
	Kind DebugKind
	Path string // the source or ELF path the run was started with
	Data []byte
	// Symbols name instructions (functions and labels), when known.
	Symbols []Symbol
}

// Symbol names the instruction at PC.
type Symbol struct {
	PC   int
	Name string
}

// SyscallEvent is one syscall's answer.
type SyscallEvent struct {
	Insns uint64    // instructions executed before the call instruction
	PC    int       // the call instruction
	Hash  uint32    // murmur3 hash of the syscall's name
	Args  [5]uint64 // r1-r5 at the call
	R0    uint64
	CU    uint64 // compute units the syscall charged
	Err   *ErrInfo
	// Writes are the bytes the syscall wrote, as they were when it
	// returned, in the order it obtained them.
	Writes []Write
	Logs   []string // log lines it emitted
}

// Write is a range of guest memory and its contents.
type Write struct {
	Addr uint64
	Data []byte
}

// ErrInfo is an error as the CLI reports it: its stable kind name and
// message (and, for a run's error, the faulting pc).
type ErrInfo struct {
	Kind    string
	Message string
	PC      int
}

// Checkpoint is the machine's state before the instruction numbered
// Insns (counting from 0).
type Checkpoint struct {
	Insns  uint64
	Events int // syscall events that happened before it
	State  *vm.State
}

// Outcome is the end of the run.
type Outcome struct {
	R0    uint64
	Err   *ErrInfo
	CU    uint64
	Insns uint64 // instructions executed, the faulting one included
	Logs  []string
	Final *vm.State // registers and memory when the run ended
}

// Encode writes t in the trace format.
func (t *Trace) Encode(w io.Writer) error {
	e, err := NewEncoder()
	if err != nil {
		return err
	}
	defer e.Close()
	return e.Encode(w, t)
}

// Encoder writes traces, reusing its compressor's memory from one trace
// to the next (creating a zstd encoder costs more than encoding a small
// trace). It is not safe for concurrent use.
type Encoder struct {
	zw   *zstd.Encoder
	body encoder
	out  []byte // the header and the body frame's header
	zbuf []byte // a compressed body

	// The program section of the last trace, compressed as a frame of its
	// own: traces of the same program (a validator recording every call
	// of one program) reuse it instead of compressing the program again.
	prog      *vm.Program
	progText  []byte
	progFrame []byte
	progCRC   uint32
	progLen   int
}

// NewEncoder returns an Encoder.
func NewEncoder() (*Encoder, error) {
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true))
	if err != nil {
		return nil, err
	}
	return &Encoder{zw: zw}, nil
}

// rawFrameMax is the body size below which the part after the program is
// stored in a zstd frame of raw (uncompressed) blocks: compressing a few
// KiB costs tens of microseconds, more than a short run itself, and saves
// little.
const rawFrameMax = 16 << 10

// appendRawFrame appends b as one zstd frame (RFC 8878) of a single raw
// block: a single-segment frame header with the content size, then the
// block. b must be shorter than 128 KiB, the largest block.
func appendRawFrame(dst, b []byte) []byte {
	return append(appendRawFrameHeader(dst, len(b)), b...)
}

// appendRawFrameHeader appends what precedes n bytes in appendRawFrame's
// frame.
func appendRawFrameHeader(dst []byte, n int) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, 0xFD2FB528)
	switch {
	case n < 256:
		dst = append(dst, 1<<5, byte(n)) // single segment, 1-byte content size
	default:
		dst = append(dst, 1<<6|1<<5) // single segment, 2-byte content size - 256
		dst = binary.LittleEndian.AppendUint16(dst, uint16(n-256))
	}
	// Block header: last block, type raw (0), size.
	h := uint32(n)<<3 | 1
	return append(dst, byte(h), byte(h>>8), byte(h>>16))
}

// Close releases the compressor.
func (e *Encoder) Close() { e.zw.Close() }

// Encode writes t to w. The body is compressed as two zstd frames, the
// program section and the rest, so that the program's frame can be
// reused from the previous trace when the program is the same.
func (e *Encoder) Encode(w io.Writer, t *Trace) error {
	p := t.Program
	if p != e.prog || len(p.Text) == 0 || len(e.progText) != len(p.Text) || &e.progText[0] != &p.Text[0] {
		e.body.b = e.body.b[:0]
		e.body.program(p)
		e.prog, e.progText, e.progLen = p, p.Text, len(e.body.b)
		e.progCRC = crc32.Checksum(e.body.b, castagnoli)
		e.progFrame = e.zw.EncodeAll(e.body.b, e.progFrame[:0])
	}
	e.body.b = e.body.b[:0]
	e.body.trace(t)
	b := e.body.b
	n := e.progLen + len(b)
	if n > MaxBodySize {
		return fmt.Errorf("trace: body of %d bytes exceeds %d", n, MaxBodySize)
	}
	var hdr [headerSize]byte
	copy(hdr[:8], magic[:])
	binary.LittleEndian.PutUint16(hdr[8:], FormatVersion)
	binary.LittleEndian.PutUint64(hdr[12:], uint64(n))
	binary.LittleEndian.PutUint32(hdr[20:], crc32.Update(e.progCRC, castagnoli, b))
	// The parts are written as they are, not gathered into one buffer
	// first: the program's frame alone is most of a short run's trace.
	e.out = append(e.out[:0], hdr[:]...)
	if len(b) < rawFrameMax {
		e.out = appendRawFrameHeader(e.out, len(b))
	} else {
		b = e.zw.EncodeAll(b, e.zbuf[:0])
		e.zbuf = b
	}
	if _, err := w.Write(e.out[:headerSize]); err != nil {
		return err
	}
	if _, err := w.Write(e.progFrame); err != nil {
		return err
	}
	if _, err := w.Write(e.out[headerSize:]); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// Decode reads a trace written by Encode. Every problem — a foreign
// file, another format version, a bad checksum, a short or malformed
// body — is a *FormatError.
func Decode(data []byte) (*Trace, error) {
	if len(data) < headerSize {
		if len(data) >= 8 && !bytes.Equal(data[:8], magic[:]) {
			return nil, &FormatError{Field: "header", Err: ErrNotTrace}
		}
		return nil, &FormatError{Offset: int64(len(data)), Field: "header", Err: ErrTruncated,
			Detail: fmt.Sprintf("%d of %d header bytes", len(data), headerSize)}
	}
	if !bytes.Equal(data[:8], magic[:]) {
		return nil, &FormatError{Field: "header", Err: ErrNotTrace}
	}
	if v := binary.LittleEndian.Uint16(data[8:]); v != FormatVersion {
		return nil, &FormatError{Offset: 8, Field: "header", Err: ErrVersion,
			Detail: fmt.Sprintf("file is version %d, this agora reads version %d", v, FormatVersion)}
	}
	if f := binary.LittleEndian.Uint16(data[10:]); f != 0 {
		return nil, &FormatError{Offset: 10, Field: "header", Err: ErrCorrupt, Detail: fmt.Sprintf("unknown flags %#x", f)}
	}
	n := binary.LittleEndian.Uint64(data[12:])
	if n > MaxBodySize {
		return nil, &FormatError{Offset: 12, Field: "header", Err: ErrCorrupt, Detail: fmt.Sprintf("body length %d exceeds %d", n, MaxBodySize)}
	}
	sum := binary.LittleEndian.Uint32(data[20:])
	zr, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(min(n+64<<20, MaxBodySize)), zstd.WithDecoderMaxWindow(64<<20))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	body, err := zr.DecodeAll(data[headerSize:], make([]byte, 0, min(n, 1<<20)))
	if err != nil {
		kind := ErrCorrupt
		if errors.Is(err, io.ErrUnexpectedEOF) {
			kind = ErrTruncated
		}
		return nil, &FormatError{Offset: headerSize, Field: "compressed body", Err: kind, Detail: err.Error()}
	}
	if uint64(len(body)) != n {
		kind := ErrCorrupt
		if uint64(len(body)) < n {
			kind = ErrTruncated
		}
		return nil, &FormatError{Offset: headerSize, Field: "compressed body", Err: kind,
			Detail: fmt.Sprintf("body is %d bytes, header says %d", len(body), n)}
	}
	if got := crc32.Checksum(body, castagnoli); got != sum {
		return nil, &FormatError{Offset: 20, Field: "body", Err: ErrChecksum,
			Detail: fmt.Sprintf("CRC-32C is %#08x, header says %#08x", got, sum)}
	}
	d := decoder{b: body}
	t := d.trace()
	if d.err != nil {
		return nil, d.err
	}
	return t, nil
}

// encoder appends the body's fields.
type encoder struct {
	b     []byte
	pages []int          // delta's scratch
	zero  [pageSize]byte // compared against, never written
}

func (e *encoder) u8(v uint8)   { e.b = append(e.b, v) }
func (e *encoder) uv(v uint64)  { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) u64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *encoder) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *encoder) bytes(p []byte) {
	e.uv(uint64(len(p)))
	e.b = append(e.b, p...)
}
func (e *encoder) str(s string) {
	e.uv(uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *encoder) strs(ss []string) {
	e.uv(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}
func (e *encoder) errInfo(ei *ErrInfo) {
	if ei == nil {
		e.u8(0)
		return
	}
	e.u8(1)
	e.str(ei.Kind)
	e.str(ei.Message)
	e.uv(uint64(int64(ei.PC) + 1))
}

// Body tags.
const (
	tagEnd        = 0
	tagSyscall    = 1
	tagCheckpoint = 2
)

// program writes the program section.
func (e *encoder) program(p *vm.Program) {
	e.u8(uint8(p.Version))
	e.bytes(p.Text)
	e.u64(p.TextVAddr)
	e.bytes(p.ROData)
	e.u64(p.RODataVAddr)
	e.uv(uint64(p.Entry))
	keys := make([]uint32, 0, len(p.Functions))
	for k := range p.Functions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.uv(uint64(len(keys)))
	for _, k := range keys {
		e.u32(k)
		e.uv(uint64(p.Functions[k]))
	}
}

// trace writes everything after the program section.
func (e *encoder) trace(t *Trace) {
	c := t.Config
	e.uv(uint64(c.MaxCallDepth))
	e.uv(uint64(c.StackFrameSize))
	e.uv(uint64(c.HeapSize))
	if c.NoStackGaps {
		e.u8(1)
	} else {
		e.u8(0)
	}
	e.uv(t.Budget)
	e.strs(t.Syscalls)
	e.strs(t.Features)
	// Inputs are mostly zeros (each account's realloc space): stored as
	// their nonzero pages, so that compressing them costs little.
	e.delta(t.Input, nil, len(t.Input))
	e.uv(t.Interval)
	e.u8(uint8(t.Debug.Kind))
	e.str(t.Debug.Path)
	e.bytes(t.Debug.Data)
	e.uv(uint64(len(t.Debug.Symbols)))
	for _, sy := range t.Debug.Symbols {
		e.uv(uint64(sy.PC))
		e.str(sy.Name)
	}

	// Events and checkpoints interleaved in execution order; each
	// checkpoint's memory is stored as the pages that differ from the
	// previous checkpoint (the first: from the initial input and empty
	// stack and heap).
	prev := &vm.State{Input: t.Input}
	inputLimit := len(t.Input)
	if t.inputKnown {
		inputLimit = min(t.inputWritten, inputLimit)
	}
	ci := 0
	for i := 0; i <= len(t.Events); i++ {
		for ci < len(t.Checkpoints) && t.Checkpoints[ci].Events <= i {
			cp := t.Checkpoints[ci]
			e.u8(tagCheckpoint)
			e.uv(cp.Insns)
			e.state(cp.State, prev, inputLimit)
			prev = cp.State
			ci++
		}
		if i == len(t.Events) {
			break
		}
		e.u8(tagSyscall)
		e.event(&t.Events[i])
	}
	e.u8(tagEnd)
	e.outcome(&t.Outcome, prev, inputLimit)

	e.uv(uint64(len(t.Lanes)))
	for i := range t.Lanes {
		e.lane(&t.Lanes[i])
	}
}

// lane writes a child lane: its path, budget, input and start state (a
// delta against an empty stack and heap and its input), its events and
// its outcome.
func (e *encoder) lane(l *Lane) {
	e.uv(uint64(len(l.Path)))
	for _, h := range l.Path {
		e.uv(h)
	}
	e.uv(l.Budget)
	e.delta(l.Start.Input, nil, len(l.Start.Input))
	e.state(l.Start, &vm.State{Input: l.Start.Input}, len(l.Start.Input))
	e.uv(uint64(len(l.Events)))
	for i := range l.Events {
		e.event(&l.Events[i])
	}
	e.outcome(&l.Outcome, l.Start, len(l.Start.Input))
}

func (e *encoder) event(ev *SyscallEvent) {
	e.uv(ev.Insns)
	e.uv(uint64(ev.PC))
	e.u32(ev.Hash)
	for _, a := range ev.Args {
		e.uv(a)
	}
	e.uv(ev.R0)
	e.uv(ev.CU)
	e.errInfo(ev.Err)
	e.uv(uint64(len(ev.Writes)))
	for _, w := range ev.Writes {
		e.u64(w.Addr)
		e.bytes(w.Data)
	}
	e.strs(ev.Logs)
}

// outcome writes how a run ended, its final state a delta against prev
// (inputLimit as for state).
func (e *encoder) outcome(o *Outcome, prev *vm.State, inputLimit int) {
	e.uv(o.R0)
	e.errInfo(o.Err)
	e.uv(o.CU)
	e.uv(o.Insns)
	e.strs(o.Logs)
	final := o.Final
	if final == nil {
		final = &vm.State{}
	}
	e.state(final, prev, inputLimit)
}

// state writes registers, frames and memory as a delta against prev. The
// inputs are known to be equal past inputLimit.
func (e *encoder) state(s, prev *vm.State, inputLimit int) {
	for _, r := range s.Regs {
		e.uv(r)
	}
	e.uv(uint64(s.PC))
	e.uv(s.Remaining)
	e.uv(uint64(len(s.Frames)))
	for _, f := range s.Frames {
		for _, r := range f.Saved {
			e.uv(r)
		}
		e.uv(f.FP)
		e.uv(uint64(f.ReturnPC))
	}
	e.delta(s.Stack, prev.Stack, len(s.Stack))
	e.delta(s.Heap, prev.Heap, len(s.Heap))
	if len(s.Input) != len(prev.Input) {
		inputLimit = len(s.Input)
	}
	e.delta(s.Input, prev.Input, inputLimit)
}

// deltaChunk is how many bytes delta compares at once before looking at
// single pages: memory is mostly unchanged (or zero) in long stretches.
const deltaChunk = 16 * pageSize

// delta writes cur's length and the pages where it differs from prev
// (bytes past prev's end count as zero). Bytes past limit are known to
// be the same and not compared.
func (e *encoder) delta(cur, prev []byte, limit int) {
	e.uv(uint64(len(cur)))
	pages := e.pages[:0]
	scan := min(len(cur), limit)
	for off := 0; off < scan; {
		if end := min(off+deltaChunk, scan); e.same(cur[off:end], prev, off) {
			off = end
			continue
		}
		for end := min(off+deltaChunk, scan); off < end; off += pageSize {
			if !e.same(cur[off:min(off+pageSize, len(cur))], prev, off) {
				pages = append(pages, off/pageSize)
			}
		}
	}
	e.pages = pages
	e.uv(uint64(len(pages)))
	last := -1
	for _, p := range pages {
		e.uv(uint64(p - last - 1))
		last = p
		e.b = append(e.b, cur[p*pageSize:min((p+1)*pageSize, len(cur))]...)
	}
}

// same reports whether b, the bytes at off, equals prev there (bytes
// past prev's end counting as zero).
func (e *encoder) same(b, prev []byte, off int) bool {
	var old []byte
	if off < len(prev) {
		old = prev[off:min(off+len(b), len(prev))]
	}
	if !bytes.Equal(b[:len(old)], old) {
		return false
	}
	for rest := b[len(old):]; len(rest) > 0; {
		n := min(len(rest), pageSize)
		if !bytes.Equal(rest[:n], e.zero[:n]) {
			return false
		}
		rest = rest[n:]
	}
	return true
}

// decoder reads the body; the first error sticks and every later read
// returns zero values, so the reading code stays linear.
type decoder struct {
	b     []byte
	off   int
	err   error
	alloc uint64 // bytes of checkpoint memory materialised so far

	stackMax, heapMax, inputLen int
}

// Checkpoint memory is stored as deltas, so a small body can describe
// large states; a reader materialises at most maxDecodedBase plus
// decodedPerByte bytes per body byte, which real traces stay far below
// (a checkpoint's registers alone take dozens of body bytes).
const (
	maxDecodedBase = 64 << 20
	decodedPerByte = 4096
)

func (d *decoder) fail(field string, kind error, detail string) {
	if d.err == nil {
		d.err = &FormatError{Offset: int64(d.off), Field: field, Err: kind, Detail: detail}
	}
}

func (d *decoder) u8(field string) uint8 {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail(field, ErrTruncated, "")
		return 0
	}
	v := d.b[d.off]
	d.off++
	return v
}

func (d *decoder) uv(field string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n == 0 {
		d.fail(field, ErrTruncated, "")
		return 0
	}
	if n < 0 {
		d.fail(field, ErrCorrupt, "varint overflows 64 bits")
		return 0
	}
	d.off += n
	return v
}

// count reads a length that must not exceed limit (what the rest of the
// body could hold), so that no forged count allocates without bound.
func (d *decoder) count(field string, limit uint64) int {
	v := d.uv(field)
	if d.err == nil && v > limit {
		d.fail(field, ErrCorrupt, fmt.Sprintf("count %d exceeds %d", v, limit))
		return 0
	}
	return int(v)
}

func (d *decoder) left() uint64 { return uint64(len(d.b) - d.off) }

func (d *decoder) fixed(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b)-d.off {
		d.fail(field, ErrTruncated, fmt.Sprintf("need %d bytes, %d left", n, len(d.b)-d.off))
		return nil
	}
	p := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return p
}

func (d *decoder) u64(field string) uint64 {
	p := d.fixed(field, 8)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(p)
}

func (d *decoder) u32(field string) uint32 {
	p := d.fixed(field, 4)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(p)
}

func (d *decoder) bytes(field string) []byte {
	n := d.uv(field)
	if d.err == nil && n > d.left() {
		d.fail(field, ErrTruncated, fmt.Sprintf("need %d bytes, %d left", n, d.left()))
	}
	return bytes.Clone(d.fixed(field, int(n)))
}

func (d *decoder) str(field string) string { return string(d.bytes(field)) }

func (d *decoder) strs(field string) []string {
	n := d.count(field, d.left())
	var out []string
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, d.str(field))
	}
	return out
}

func (d *decoder) errInfo(field string) *ErrInfo {
	switch d.u8(field) {
	case 0:
		return nil
	case 1:
		ei := &ErrInfo{Kind: d.str(field), Message: d.str(field)}
		ei.PC = int(int64(d.uv(field)) - 1)
		return ei
	}
	d.fail(field, ErrCorrupt, "bad error marker")
	return nil
}

// limits bound sizes that the VM itself bounds.
const (
	maxRegion = 64 << 20 // the largest heap the VM accepts
	maxFrames = 1024
)

func (d *decoder) trace() *Trace {
	t := &Trace{}
	p := &vm.Program{}
	t.Program = p
	p.Version = sbpf.Version(d.u8("program version"))
	if d.err == nil && p.Version > sbpf.V4 {
		d.fail("program version", ErrCorrupt, fmt.Sprintf("sBPF version %d", p.Version))
	}
	p.Text = d.bytes("program text")
	if d.err == nil && len(p.Text)%sbpf.InsnSize != 0 {
		d.fail("program text", ErrCorrupt, fmt.Sprintf("%d bytes is not a whole number of slots", len(p.Text)))
	}
	p.TextVAddr = d.u64("program text address")
	p.ROData = d.bytes("program rodata")
	p.RODataVAddr = d.u64("program rodata address")
	p.Entry = d.count("program entry", uint64(len(p.Text)/sbpf.InsnSize))
	nf := d.count("program functions", d.left()/5)
	p.Functions = make(map[uint32]int, nf)
	for range nf {
		k := d.u32("function key")
		p.Functions[k] = d.count("function pc", uint64(len(p.Text)/sbpf.InsnSize))
	}
	c := &t.Config
	c.MaxCallDepth = d.count("config max call depth", maxFrames)
	c.StackFrameSize = d.count("config frame size", 1<<20)
	c.HeapSize = d.count("config heap size", maxRegion)
	c.NoStackGaps = d.u8("config stack gaps") != 0
	if d.err == nil && (c.StackFrameSize > 64<<10 || c.StackFrameSize&(c.StackFrameSize-1) != 0) {
		d.fail("config frame size", ErrCorrupt, fmt.Sprintf("frame size %d", c.StackFrameSize))
	}
	d.stackMax, d.heapMax = c.MaxCallDepth*max(c.StackFrameSize, 1), c.HeapSize
	t.Budget = d.uv("budget")
	t.Syscalls = d.strs("syscall names")
	t.Features = d.strs("features")
	t.Input = d.delta("input", nil, MaxBodySize)
	d.inputLen = len(t.Input)
	t.Interval = d.uv("checkpoint interval")
	t.Debug.Kind = DebugKind(d.u8("debug kind"))
	if d.err == nil && t.Debug.Kind > DebugLines {
		d.fail("debug kind", ErrCorrupt, fmt.Sprintf("unknown debug kind %d", t.Debug.Kind))
	}
	t.Debug.Path = d.str("debug path")
	t.Debug.Data = d.bytes("debug data")
	ns := d.count("debug symbols", d.left()/2)
	for i := 0; i < ns && d.err == nil; i++ {
		t.Debug.Symbols = append(t.Debug.Symbols, Symbol{PC: d.count("symbol pc", uint64(len(p.Text)/sbpf.InsnSize)), Name: d.str("symbol name")})
	}

	prev := &vm.State{Input: t.Input}
	var lastInsns uint64
	for d.err == nil {
		tag := d.u8("event tag")
		if tag == tagEnd || d.err != nil {
			break
		}
		switch tag {
		case tagCheckpoint:
			cp := Checkpoint{Insns: d.uv("checkpoint position"), Events: len(t.Events)}
			if d.err == nil && (cp.Insns < lastInsns || len(t.Checkpoints) == 0 && cp.Insns != 0) {
				d.fail("checkpoint position", ErrCorrupt, fmt.Sprintf("checkpoint at instruction %d out of order", cp.Insns))
			}
			cp.State = d.state("checkpoint", prev)
			prev = cp.State
			lastInsns = cp.Insns
			t.Checkpoints = append(t.Checkpoints, cp)
		case tagSyscall:
			ev := d.event(p, lastInsns)
			lastInsns = ev.Insns
			t.Events = append(t.Events, ev)
		default:
			d.fail("event tag", ErrCorrupt, fmt.Sprintf("unknown tag %d", tag))
		}
	}
	if d.err == nil && len(t.Checkpoints) == 0 {
		d.fail("checkpoints", ErrCorrupt, "no checkpoint at instruction 0")
	}
	t.Outcome = d.outcome("", prev)
	nl := d.count("lanes", d.left()/4)
	inputLen := d.inputLen
	for i := 0; i < nl && d.err == nil; i++ {
		t.Lanes = append(t.Lanes, d.lane(p, inputLen))
	}
	d.inputLen = inputLen
	if d.err == nil && d.off != len(d.b) {
		d.fail("end of body", ErrCorrupt, fmt.Sprintf("%d trailing bytes", len(d.b)-d.off))
	}
	if d.err != nil {
		return nil
	}
	return t
}

// maxLanePath bounds a lane's path; ext/lanes nests two levels.
const maxLanePath = 16

func (d *decoder) lane(p *vm.Program, parentInput int) Lane {
	var l Lane
	np := d.count("lane path", maxLanePath)
	for i := 0; i < np && d.err == nil; i++ {
		l.Path = append(l.Path, d.uv("lane path"))
	}
	l.Budget = d.uv("lane budget")
	in := d.delta("lane input", nil, MaxBodySize)
	if d.err == nil && len(in) < parentInput {
		d.fail("lane input", ErrCorrupt, fmt.Sprintf("a lane's input of %d bytes is shorter than the run's %d", len(in), parentInput))
	}
	d.inputLen = len(in)
	l.Start = d.state("lane start", &vm.State{Input: in})
	ne := d.count("lane events", d.left()/10)
	var last uint64
	for i := 0; i < ne && d.err == nil; i++ {
		ev := d.event(p, last)
		last = ev.Insns
		l.Events = append(l.Events, ev)
	}
	l.Outcome = d.outcome("lane ", l.Start)
	return l
}

func (d *decoder) event(p *vm.Program, lastInsns uint64) SyscallEvent {
	ev := SyscallEvent{Insns: d.uv("syscall position")}
	if d.err == nil && ev.Insns < lastInsns {
		d.fail("syscall position", ErrCorrupt, fmt.Sprintf("syscall at instruction %d out of order", ev.Insns))
	}
	ev.PC = d.count("syscall pc", uint64(len(p.Text)/sbpf.InsnSize))
	ev.Hash = d.u32("syscall hash")
	for i := range ev.Args {
		ev.Args[i] = d.uv("syscall argument")
	}
	ev.R0 = d.uv("syscall r0")
	ev.CU = d.uv("syscall compute units")
	ev.Err = d.errInfo("syscall error")
	nw := d.count("syscall writes", d.left()/9)
	for i := 0; i < nw && d.err == nil; i++ {
		ev.Writes = append(ev.Writes, Write{Addr: d.u64("write address"), Data: d.bytes("write data")})
	}
	ev.Logs = d.strs("syscall logs")
	return ev
}

func (d *decoder) outcome(field string, prev *vm.State) Outcome {
	var o Outcome
	o.R0 = d.uv(field + "outcome r0")
	o.Err = d.errInfo(field + "outcome error")
	o.CU = d.uv(field + "outcome compute units")
	o.Insns = d.uv(field + "outcome instructions")
	o.Logs = d.strs(field + "outcome logs")
	o.Final = d.state(field+"final state", prev)
	return o
}

func (d *decoder) state(field string, prev *vm.State) *vm.State {
	s := &vm.State{}
	for i := range s.Regs {
		s.Regs[i] = d.uv(field + " registers")
	}
	s.PC = d.count(field+" pc", 1<<32)
	s.Remaining = d.uv(field + " meter")
	nf := d.count(field+" frames", maxFrames)
	s.Frames = make([]vm.Frame, 0, nf)
	for i := 0; i < nf && d.err == nil; i++ {
		var f vm.Frame
		for j := range f.Saved {
			f.Saved[j] = d.uv(field + " frame")
		}
		f.FP = d.uv(field + " frame")
		f.ReturnPC = d.count(field+" frame", 1<<32)
		s.Frames = append(s.Frames, f)
	}
	s.Stack = d.delta(field+" stack", prev.Stack, d.stackMax)
	s.Heap = d.delta(field+" heap", prev.Heap, d.heapMax)
	s.Input = d.delta(field+" input", prev.Input, d.inputLen)
	if d.err == nil && len(s.Input) != d.inputLen {
		d.fail(field+" input", ErrCorrupt, fmt.Sprintf("input region of %d bytes, the run's has %d", len(s.Input), d.inputLen))
	}
	return s
}

func (d *decoder) delta(field string, prev []byte, limit int) []byte {
	n := d.count(field+" length", uint64(limit))
	if d.err != nil {
		return nil
	}
	d.alloc += uint64(n)
	if limit := maxDecodedBase + decodedPerByte*uint64(len(d.b)); d.alloc > limit {
		d.fail(field+" length", ErrCorrupt, fmt.Sprintf("checkpoints expand to more than %d bytes", limit))
		return nil
	}
	cur := make([]byte, n)
	copy(cur, prev)
	np := d.count(field+" pages", uint64(n+pageSize-1)/pageSize)
	page := -1
	for i := 0; i < np && d.err == nil; i++ {
		page += int(d.count(field+" page", uint64(n+pageSize-1)/pageSize)) + 1
		if d.err == nil && page*pageSize >= n {
			d.fail(field+" page", ErrCorrupt, fmt.Sprintf("page %d outside %d bytes", page, n))
			break
		}
		end := min((page+1)*pageSize, n)
		copy(cur[page*pageSize:end], d.fixed(field+" page", end-page*pageSize))
	}
	return cur
}

// EncodeLines packs a source line per slot (DebugLines data).
func EncodeLines(lines []int) []byte {
	var b []byte
	for _, l := range lines {
		b = binary.AppendUvarint(b, uint64(max(l, 0)))
	}
	return b
}

// DecodeLines unpacks DebugLines data; malformed data yields the lines
// read so far.
func DecodeLines(b []byte) []int {
	var out []int
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		if n <= 0 || v > 1<<31 {
			break
		}
		out = append(out, int(v))
		b = b[n:]
	}
	return out
}
