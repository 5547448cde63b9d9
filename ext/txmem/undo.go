package txmem

import (
	"math/bits"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// The undo log keeps, for each byte written since tx_begin, the value it
// had at tx_begin, and nothing else: a shadow bitmap per watched region
// (one bit per byte, allocated a 4 KiB page of guest memory at a time)
// says which bytes are already saved, so the first write to a byte saves
// it and later writes to it cost only the bitmap test. The log therefore
// never holds more bytes than the watched memory has, however many
// stores or syscall writes a transaction makes, and aborting writes each
// saved byte back exactly once, which is why the order in which runs are
// restored does not matter.

const (
	pageShift    = 12 // a shadow page covers 4 KiB of guest memory
	wordsPerPage = 1 << pageShift / 64
	regionMask   = sbpf.RegionSize - 1
	firstSlot    = sbpf.HeapStart >> 32 // heap, then input: the watched regions
	numShadows   = 2
)

// shadowPage holds one bit per byte of a 4 KiB page of guest memory: set
// when the byte's value at tx_begin is in the log.
type shadowPage struct {
	bits    [wordsPerPage]uint64
	touched bool // listed in shadow.touched
}

// shadow is the bitmap of one watched region, by page.
type shadow struct {
	pages   []*shadowPage
	touched []uint32 // indexes of the pages with bits set, for reset
}

// newPage returns page i, allocating it (and growing the table) when it
// does not exist yet.
func (s *shadow) newPage(i uint64) *shadowPage {
	if i >= uint64(len(s.pages)) {
		s.pages = append(s.pages, make([]*shadowPage, i+1-uint64(len(s.pages)))...)
	}
	p := s.pages[i]
	if p == nil {
		p = new(shadowPage)
		s.pages[i] = p
	}
	return p
}

// reset clears the bits set, keeping the pages for the next transaction.
func (s *shadow) reset() {
	for _, i := range s.touched {
		*s.pages[i] = shadowPage{}
	}
	s.touched = s.touched[:0]
	if len(s.pages) > maxPooledPages {
		s.pages = nil
	}
}

// run is one saved range: guest bytes [addr, addr+n) had, at tx_begin, the
// values saved[off : off+n].
type run struct {
	addr, off, n uint64
}

// Log is the undo log of one open transaction. It is the vm.WriteWatcher
// that tx_begin installs on the machine; it exists only while the
// transaction is open, so a machine with no transaction open has no
// watcher and its stores keep the interpreter's fast path. A Log belongs
// to one machine and one run; it is not safe for concurrent use.
type Log struct {
	shadows [numShadows]shadow
	runs    []run
	saved   []byte
	writes  uint64  // BeforeWrite calls
	fresh   uint64  // BeforeWrite calls that saved at least one byte
	home    *family // the pool the log returns to when its transaction closes
}

// Limits on what a pooled log keeps between transactions.
const (
	maxPooledPages = 1 << 12  // page pointers per region (16 MiB of guest memory)
	maxPooledSaved = 16 << 20 // bytes of saved values
)

// release clears the log and returns it to its pool.
func (l *Log) release() {
	for i := range l.shadows {
		l.shadows[i].reset()
	}
	l.runs = l.runs[:0]
	l.saved = l.saved[:0]
	l.writes = 0
	if cap(l.saved) > maxPooledSaved {
		l.saved = nil
	}
	if l.home != nil {
		l.home.logs.Put(l)
	}
}

// BeforeWrite implements vm.WriteWatcher: it saves the bytes of old that
// have not been saved since tx_begin.
func (l *Log) BeforeWrite(addr uint64, old []byte) {
	idx := addr>>32 - firstSlot
	if idx >= numShadows || len(old) == 0 {
		return // the VM watches only the heap and the input
	}
	l.writes++
	sh := &l.shadows[idx]
	off := addr & regionMask // both regions start at their slot's base
	n := uint64(len(old))
	for pos := uint64(0); pos < n; {
		o := off + pos
		bit := o & 63
		span := min(64-bit, n-pos)
		mask := (^uint64(0) >> (64 - span)) << bit
		pi := o >> pageShift
		var pg *shadowPage
		if pi < uint64(len(sh.pages)) {
			pg = sh.pages[pi]
		}
		if pg == nil {
			pg = sh.newPage(pi)
		}
		w := &pg.bits[(o>>6)&(wordsPerPage-1)]
		fresh := mask &^ *w
		if fresh == 0 { // every byte already saved: the common repeated store
			pos += span
			continue
		}
		if !pg.touched {
			pg.touched = true
			sh.touched = append(sh.touched, uint32(pi))
		}
		*w |= mask
		if fresh == mask {
			l.save(addr+pos, old[pos:pos+span])
			pos += span
			continue
		}
		for fresh != 0 {
			s := uint64(bits.TrailingZeros64(fresh))
			length := uint64(bits.TrailingZeros64(^(fresh >> s))) // ones from s (64 when all)
			start := pos + s - bit
			l.save(addr+start, old[start:start+length])
			if s+length >= 64 {
				fresh = 0
			} else {
				fresh &^= (uint64(1)<<length - 1) << s
			}
		}
		pos += span
	}
}

// save appends one range, extending the last run when it continues it.
func (l *Log) save(addr uint64, b []byte) {
	if k := len(l.runs) - 1; k >= 0 {
		r := &l.runs[k]
		if r.addr+r.n == addr && r.off+r.n == uint64(len(l.saved)) {
			r.n += uint64(len(b))
			l.saved = append(l.saved, b...)
			return
		}
	}
	l.runs = append(l.runs, run{addr: addr, off: uint64(len(l.saved)), n: uint64(len(b))})
	l.saved = append(l.saved, b...)
}

// AtExit implements vm.WriteWatcher: the program exited with the
// transaction open. The transaction is aborted — every byte is restored,
// so whoever reads the memory after the run (the runtime's account
// checks) sees the state of tx_begin — and the run fails with
// TransactionLeak.
//
// The abort is charged as tx_abort would be; when the budget cannot cover
// it the memory is still restored and the run still fails.
func (l *Log) AtExit(m *vm.Machine) error {
	_ = m.Consume(l.costOf(CostAbortBase, AbortBytesPerCU))
	err := l.restore(m)
	n := len(l.saved)
	m.UnwatchWrites()
	l.release()
	if err != nil {
		return err
	}
	return errorf(KindTransactionLeak, "the program exited with a transaction open (%d bytes restored)", n)
}

// Bytes returns how many distinct bytes of memory have been written since
// tx_begin: the bytes the log holds.
func (l *Log) Bytes() uint64 { return uint64(len(l.saved)) }

// Writes returns how many writes to watched memory (store instructions,
// and syscalls writing guest memory) the transaction has made.
func (l *Log) Writes() uint64 { return l.writes }

// Runs returns how many contiguous ranges the log holds.
func (l *Log) Runs() int { return len(l.runs) }

// restore writes every saved byte back, without telling any watcher.
func (l *Log) restore(m *vm.Machine) error {
	for i := len(l.runs) - 1; i >= 0; i-- {
		r := l.runs[i]
		if err := m.RestoreMemory(r.addr, l.saved[r.off:r.off+r.n]); err != nil {
			return err
		}
	}
	return nil
}
