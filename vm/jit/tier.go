package jit

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/agora-vm/agora/vm"
)

// DefaultThreshold is the number of runs after which Tiered compiles a
// program.
const DefaultThreshold = 8

// Tiered is the auto engine: a program runs on the interpreter until it
// has been run Threshold times, is then compiled off the critical path (in
// a goroutine), and runs as machine code once that is done. Compiled
// programs are cached by a hash of the program, its limits and its
// syscall registry, so preparing the same program again reuses the code.
// Both engines give identical results, so when the switch happens changes
// no result.
type Tiered struct {
	// Threshold is the runs before compiling; 0 means DefaultThreshold.
	Threshold int
	// Compiler compiles hot programs.
	Compiler Engine

	mu    sync.Mutex
	cache map[cacheKey]*cacheEntry
}

type cacheKey struct {
	hash [32]byte
	reg  *vm.Registry
}

type cacheEntry struct {
	once sync.Once
	r    *Runnable
}

// NewTiered returns an auto engine with the given compiler.
func NewTiered(compiler Engine) *Tiered { return &Tiered{Compiler: compiler} }

// Prepare predecodes p for the interpreter; compilation waits until the
// program is hot (or is immediate when the cache already holds it).
func (t *Tiered) Prepare(p *vm.Program, reg *vm.Registry, cfg vm.Config) (vm.Runnable, error) {
	rn, err := vm.Interpreter{}.Prepare(p, reg, cfg)
	if err != nil {
		return nil, err
	}
	exe := rn.(*vm.Executable)
	tr := &tieredRunnable{Executable: exe, t: t, key: cacheKey{programHash(exe), reg}}
	t.mu.Lock()
	if e, ok := t.cache[tr.key]; ok {
		tr.entry = e
	}
	t.mu.Unlock()
	return tr, nil
}

// Compiled reports how many programs the cache holds as machine code.
func (t *Tiered) Compiled() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, e := range t.cache {
		if e.r != nil && e.r.Compiled() {
			n++
		}
	}
	return n
}

func (t *Tiered) entry(k cacheKey) *cacheEntry {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cache == nil {
		t.cache = map[cacheKey]*cacheEntry{}
	}
	e, ok := t.cache[k]
	if !ok {
		e = &cacheEntry{}
		t.cache[k] = e
	}
	return e
}

type tieredRunnable struct {
	*vm.Executable
	t     *Tiered
	key   cacheKey
	entry *cacheEntry // set when compilation was started or found cached
	runs  atomic.Int64
	code  atomic.Pointer[Runnable]
	once  sync.Once
}

func (r *tieredRunnable) Run(m *vm.Machine, opts vm.RunOptions) vm.Result {
	if j := r.code.Load(); j != nil {
		return j.Run(m, opts)
	}
	th := r.t.Threshold
	if th <= 0 {
		th = DefaultThreshold
	}
	if r.entry != nil || r.runs.Add(1) >= int64(th) {
		r.once.Do(func() { go r.compile() })
	}
	return r.Executable.Run(m, opts)
}

// compile fills the cache entry (once per program) and switches to it.
func (r *tieredRunnable) compile() {
	e := r.t.entry(r.key)
	e.once.Do(func() {
		j := &Runnable{exe: r.Executable}
		j.code, j.fallback = compile(r.Executable, r.t.Compiler.opts)
		if j.fallback != nil {
			j.code = nil
			r.t.Compiler.logFallback(j.fallback)
		}
		e.r = j
	})
	if e.r.Compiled() {
		r.code.Store(e.r)
	}
}

// programHash identifies a program and everything its compilation depends
// on but the registry: version, text, read-only data, addresses, entry,
// function registry and limits.
func programHash(exe *vm.Executable) [32]byte {
	p, cfg := exe.Program(), exe.Config()
	h := sha256.New()
	var b []byte
	b = binary.LittleEndian.AppendUint64(b, uint64(p.Version))
	b = binary.LittleEndian.AppendUint64(b, p.TextVAddr)
	b = binary.LittleEndian.AppendUint64(b, p.RODataVAddr)
	b = binary.LittleEndian.AppendUint64(b, uint64(p.Entry))
	b = binary.LittleEndian.AppendUint64(b, uint64(cfg.MaxCallDepth))
	b = binary.LittleEndian.AppendUint64(b, uint64(cfg.StackFrameSize))
	b = binary.LittleEndian.AppendUint64(b, uint64(cfg.HeapSize))
	if cfg.NoStackGaps {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	keys := make([]uint32, 0, len(p.Functions))
	for k := range p.Functions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = binary.LittleEndian.AppendUint32(b, k)
		b = binary.LittleEndian.AppendUint64(b, uint64(p.Functions[k]))
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(len(p.Text)))
	h.Write(b)
	h.Write(p.Text)
	h.Write(p.ROData)
	var out [32]byte
	h.Sum(out[:0])
	return out
}
