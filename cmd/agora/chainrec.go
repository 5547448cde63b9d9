package main

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/trace"
	"github.com/agora-vm/agora/vm"
)

// chainRecordFlags are --record, --profile and --record-source of the
// chain commands that execute a transaction.
type chainRecordFlags struct {
	record, profile, source string
}

func (f *chainRecordFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.record, "record", "", "record the transaction's first top-level BPF program run to `FILE.trace` (agora replay, agora debug)")
	cmd.Flags().StringVar(&f.profile, "profile", "", "write a pprof profile of that run's compute units by function and line to `FILE.pb.gz`")
	cmd.Flags().StringVar(&f.source, "record-source", "", "the local `FILE.so` the recorded program was deployed from: its OVSM line table or C object (FILE.o) goes into the trace")
}

func (f *chainRecordFlags) enabled() bool { return f.record != "" || f.profile != "" }

// chainRecorder records the first top-level BPF program run of the
// transactions a bank executes: the one the runtime starts first, which
// is an instruction of the transaction itself (a CPI starts later, inside
// it). Later runs, that one's CPIs included, run unrecorded.
type chainRecorder struct {
	// source is --record-source, read; nil when not given.
	source     []byte
	sourcePath string

	mu      sync.Mutex
	started bool
	trace   *trace.Trace
	err     error
	// mismatch: --record-source is not the recorded program's ELF.
	mismatch bool
}

// wrap is the bank's program source hook (bank.WrapPrograms).
func (c *chainRecorder) wrap(src svm.ProgramSource) svm.ProgramSource {
	return &recordingSource{src: src, c: c}
}

// recordingSource serves the bank's programs, each wrapped to record its
// run if it is the first.
type recordingSource struct {
	src svm.ProgramSource
	c   *chainRecorder
}

func (s *recordingSource) Executable(key pubkey.Pubkey, acct *account.Account, heapBytes int) (vm.Runnable, error) {
	exe, err := s.src.Executable(key, acct, heapBytes)
	if err != nil || exe == nil {
		return exe, err
	}
	return &chainRecRunnable{Runnable: exe, s: s, key: key, acct: *acct}, nil
}

// ProgramELF keeps the source's ELFs visible (module calls read them).
func (s *recordingSource) ProgramELF(key pubkey.Pubkey, acct *account.Account) ([]byte, uint64, error) {
	es, ok := s.src.(svm.ELFSource)
	if !ok {
		return nil, 0, svm.ErrNotProgram
	}
	return es.ProgramELF(key, acct)
}

// chainRecRunnable is a program of the block; its Run records when it is
// the first run.
type chainRecRunnable struct {
	vm.Runnable
	s    *recordingSource
	key  pubkey.Pubkey
	acct account.Account
}

func (r *chainRecRunnable) Run(m *vm.Machine, opts vm.RunOptions) vm.Result {
	c := r.s.c
	c.mu.Lock()
	first := !c.started
	c.started = true
	c.mu.Unlock()
	if !first {
		return r.Runnable.Run(m, opts)
	}
	rec := trace.NewRecorder(trace.Options{Features: instructionFeatures, Debug: r.debugInfo()})
	reg, err := rec.Registry(r.Registry())
	var exe vm.Runnable
	if err == nil {
		// The interpreter records; every engine gives the same result.
		exe, err = vm.Interpreter{}.Prepare(r.Program(), reg, r.Config())
	}
	if err != nil {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		return r.Runnable.Run(m, opts)
	}
	if m == nil {
		m = vm.NewMachine()
	}
	res, tr := rec.Run(m, exe, opts)
	c.mu.Lock()
	c.trace = tr
	c.mu.Unlock()
	return res
}

// debugInfo describes the recorded program for debuggers: the deployed
// ELF's symbols (and DWARF, if it kept any), or, with --record-source
// naming the same ELF, that file's OVSM line table or C object.
func (r *chainRecRunnable) debugInfo() trace.DebugInfo {
	c := r.s.c
	name := "program " + r.key.String()
	data, _, err := r.s.ProgramELF(r.key, &r.acct)
	if err != nil {
		return trace.DebugInfo{Path: name}
	}
	if c.source != nil {
		if bytes.Equal(c.source, data) {
			name = c.sourcePath
		} else {
			c.mu.Lock()
			c.mismatch = true
			c.mu.Unlock()
		}
	}
	l := &loaded{path: name, data: data, isELF: true}
	reg, err := newRegistry()
	if err != nil {
		return trace.DebugInfo{Path: name}
	}
	opts := elf.RuntimeOptions()
	opts.SymbolLabels = true
	if img, err := elf.LoadImage(data, reg, &opts); err == nil {
		l.program, l.image = img.Program, img
		l.labels = map[int]string{}
		for key, fname := range img.Labels {
			if pc, ok := img.Program.Functions[key]; ok {
				l.labels[pc] = fname
			}
		}
	}
	if name == c.sourcePath {
		// findDebugObject only looks beside a named file.
		_ = findDebugObject(l, "")
	}
	return debugInfoFor(l)
}

// start hooks the recorder into b's next block; --record-source is read
// here so that a bad path fails before the transaction runs.
func (f *chainRecordFlags) start(b interface {
	WrapPrograms(func(svm.ProgramSource) svm.ProgramSource)
}) (*chainRecorder, error) {
	if !f.enabled() {
		if f.source != "" {
			return nil, usageErr("--record-source needs --record or --profile")
		}
		return nil, nil
	}
	c := &chainRecorder{sourcePath: f.source}
	if f.source != "" {
		data, err := readFileLimited(f.source)
		if err != nil {
			return nil, usageErr("--record-source: %v", err)
		}
		c.source = data
	}
	b.WrapPrograms(c.wrap)
	return c, nil
}

// finish writes the trace and the profile of the recorded run. A
// transaction that ran no BPF program (a transfer, a native program, a
// transaction rejected before it ran) leaves nothing to record: the
// files are not written and a note on the error stream says so.
// why, when set, says why nothing ran (a deployment runs no program).
func (f *chainRecordFlags) finish(s *streams, c *chainRecorder, why string) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	tr, err, mismatch := c.trace, c.err, c.mismatch
	c.mu.Unlock()
	if mismatch {
		fmt.Fprintf(s.err, "agora: --record-source: %s is not the recorded program's ELF; the trace has the deployed ELF's symbols only\n", c.sourcePath)
	}
	if err != nil {
		return &exitError{code: exitBadCall, err: fmt.Errorf("--record: %w", err)}
	}
	if tr == nil {
		if why == "" {
			why = "the transaction ran no BPF program (native programs such as System's transfer are not sBPF)"
		}
		fmt.Fprintf(s.err, "agora: --record/--profile: nothing recorded, no file written: %s\n", why)
		return nil
	}
	if f.record != "" {
		if err := writeTrace(tr, f.record); err != nil {
			return &exitError{code: exitBadCall, err: fmt.Errorf("--record: %w", err)}
		}
	}
	if f.profile != "" {
		if err := writeProfile(tr, f.profile); err != nil {
			return &exitError{code: exitBadCall, err: fmt.Errorf("--profile: %w", err)}
		}
	}
	return nil
}
