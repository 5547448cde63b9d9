package bench

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/agora-vm/agora/ext/crypto"
	"github.com/agora-vm/agora/ext/offload"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/syscalls/solcrypto"
	"github.com/agora-vm/agora/vm"
)

// OffloadRow compares one offloaded operation done the way a program
// without the offload extension does it (an sBPF bytecode loop, or a
// loop over Solana's or Agora's one-at-a-time syscalls) and as
// agora_hw_offload_submit + poll on the CPU backend, on the same input in
// the same run: CU and wall time per run. Both programs write the result
// after the request in the input, and the row is only reported when the
// two results are byte-identical.
type OffloadRow struct {
	Name       string  `json:"name"`
	Size       string  `json:"size"`
	BytecodeCU uint64  `json:"bytecode_cu"`
	SyscallCU  uint64  `json:"syscall_cu"`
	BytecodeNs float64 `json:"bytecode_ns"`
	SyscallNs  float64 `json:"syscall_ns"`
}

// OffloadOptions selects what BenchOffload measures.
type OffloadOptions struct {
	// Ops are row names from OffloadOps, measured in OffloadOps' order;
	// empty means every one.
	Ops []string
	// Sizes are MATMUL's n (n×n×n, 1..128); empty means 32, 64, 128.
	Sizes []int
	// Reps is how many times each program runs (at least once); ns is
	// the average.
	Reps int
}

// offloadOps are the rows, in table order. MATMUL is MATMUL_I8 (its row
// kept the name it had when it was the only one). BATCH_VERIFY_ED25519
// and MSM_BLS12381 have no row: a program without offload has no
// syscall for them (OffloadUnbenched).
var offloadOps = []string{"MATMUL", "MATMUL_FX64", "RELU", "ARGMAX", "CONV1D", "POSEIDON_MANY", "MSM_BN254", "BATCH_VERIFY_BLS"}

// OffloadOps lists the row names BenchOffload knows, in table order.
func OffloadOps() []string { return slices.Clone(offloadOps) }

// OffloadUnbenched says, per operation with no row, why: there is no
// honest baseline a program without offload could run.
func OffloadUnbenched() []string {
	return []string{
		"BATCH_VERIFY_ED25519: Solana has no ed25519 syscall (only the Ed25519 precompile program, which checks signatures of a transaction's instructions before it runs), so a program's only other way is ed25519 in bytecode, which the bench does not write.",
		"MSM_BLS12381: no BLS12-381 G1 scalar multiplication syscall is active (Agave's sol_curve_group_op refuses the BLS12-381 curve ids while SIMD-0388 is off, as here), so a program's only other way is field arithmetic in bytecode, which the bench does not write.",
	}
}

// offloadCase is one row's input: the request, the size of its result
// and the program without offload.
type offloadCase struct {
	name, size string
	req        []byte
	outLen     int
	baseline   string // assembly
}

// offloadRun is a run's context: it holds the run's task table.
type offloadRun struct{ tasks offload.Tasks }

func (c *offloadRun) OffloadTasks() *offload.Tasks { return &c.tasks }

// offloadRegistry holds every syscall the two programs of a row may call:
// Solana's standard and crypto syscalls, Agora's crypto family (for
// agora_bls_verify) and offload with the CPU backend.
func offloadRegistry() (*vm.Registry, error) {
	reg := syscalls.NewRegistry()
	for _, f := range []func(*vm.Registry) error{solcrypto.Register, crypto.Register, offload.Register} {
		if err := f(reg); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// offloadCases builds the cases o selects, in table order.
func offloadCases(o OffloadOptions) ([]offloadCase, error) {
	want := map[string]bool{}
	for _, name := range o.Ops {
		if !slices.Contains(offloadOps, name) {
			return nil, fmt.Errorf("offload bench: unknown operation %q (known: %v)", name, offloadOps)
		}
		want[name] = true
	}
	sizes := o.Sizes
	if len(sizes) == 0 {
		sizes = []int{32, 64, 128}
	}
	var cases []offloadCase
	for _, name := range offloadOps {
		if len(want) > 0 && !want[name] {
			continue
		}
		if name == "MATMUL" {
			for _, n := range sizes {
				if n < 1 || n > 128 {
					// The CLI's range: 128³ is already 40 M CU in bytecode.
					return nil, fmt.Errorf("offload bench: MATMUL size %d outside 1..128", n)
				}
				cases = append(cases, matmulI8Case(n))
			}
			continue
		}
		c, err := offloadCaseOf(name)
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// offloadCaseOf is the case of a row other than MATMUL at its fixed size.
func offloadCaseOf(name string) (offloadCase, error) {
	switch name {
	case "MATMUL_FX64":
		return matmulFxCase(32, 16), nil
	case "RELU":
		return reluCase(64, 64), nil
	case "ARGMAX":
		return argmaxCase(64, 64), nil
	case "CONV1D":
		return conv1DCase(512, 16, 8), nil
	case "POSEIDON_MANY":
		return poseidonCase(16, 2), nil
	case "MSM_BN254":
		return msmBN254Case(16), nil
	case "BATCH_VERIFY_BLS":
		return blsBatchCase(8), nil
	}
	return offloadCase{}, fmt.Errorf("offload bench: unknown operation %q", name)
}

// offloadPair is a case with both programs prepared.
type offloadPair struct {
	offloadCase
	baseline, syscall vm.Runnable
}

func prepareOffload(reg *vm.Registry, c offloadCase) (*offloadPair, error) {
	base, err := prepareOffloadProgram(reg, c.baseline)
	if err != nil {
		return nil, fmt.Errorf("offload bench: %s %s baseline: %w", c.name, c.size, err)
	}
	sys, err := prepareOffloadProgram(reg, offloadSyscall(len(c.req), c.outLen))
	if err != nil {
		return nil, fmt.Errorf("offload bench: %s %s syscall: %w", c.name, c.size, err)
	}
	return &offloadPair{c, base, sys}, nil
}

func prepareOffloadProgram(reg *vm.Registry, src string) (vm.Runnable, error) {
	p, err := asm.Assemble(src, sbpf.V0, &asm.Options{Aliases: offload.Aliases()})
	if err != nil {
		return nil, err
	}
	return vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
}

// run runs exe once on a fresh copy of the request, input being
// len(req)+outLen bytes, and returns its CU; the result is input's tail.
func (p *offloadPair) run(exe vm.Runnable, m *vm.Machine, input []byte) (uint64, error) {
	copy(input, p.req)
	clear(input[len(p.req):])
	res := exe.Run(m, vm.RunOptions{Input: input, Budget: 1 << 40, Context: &offloadRun{}})
	if res.Err != nil {
		return 0, res.Err
	}
	if res.R0 != 0 {
		return 0, fmt.Errorf("program returned %d", res.R0)
	}
	return res.CU, nil
}

// measure runs exe once untimed (to warm caches and the allocator), then
// reps times, and returns its CU, the mean wall time of the timed runs
// and the result.
func (p *offloadPair) measure(exe vm.Runnable, reps int) (uint64, float64, []byte, error) {
	m := vm.NewMachine()
	input := make([]byte, len(p.req)+p.outLen)
	cu, err := p.run(exe, m, input)
	if err != nil {
		return 0, 0, nil, err
	}
	start := time.Now()
	for range reps {
		var err error
		if cu, err = p.run(exe, m, input); err != nil {
			return 0, 0, nil, err
		}
	}
	ns := float64(time.Since(start).Nanoseconds()) / float64(reps)
	return cu, ns, bytes.Clone(input[len(p.req):]), nil
}

// BenchOffload measures the rows o selects, each program run o.Reps
// times (at least once). It fails when a row's two results differ.
func BenchOffload(o OffloadOptions) ([]OffloadRow, error) {
	cases, err := offloadCases(o)
	if err != nil {
		return nil, err
	}
	reg, err := offloadRegistry()
	if err != nil {
		return nil, err
	}
	reps := max(o.Reps, 1)
	rows := make([]OffloadRow, 0, len(cases))
	for _, c := range cases {
		p, err := prepareOffload(reg, c)
		if err != nil {
			return nil, err
		}
		baseCU, baseNs, baseOut, err := p.measure(p.baseline, reps)
		if err != nil {
			return nil, fmt.Errorf("offload bench: %s %s baseline: %w", c.name, c.size, err)
		}
		sysCU, sysNs, sysOut, err := p.measure(p.syscall, reps)
		if err != nil {
			return nil, fmt.Errorf("offload bench: %s %s syscall: %w", c.name, c.size, err)
		}
		if !bytes.Equal(baseOut, sysOut) {
			return nil, fmt.Errorf("offload bench: %s %s: baseline and syscall results differ", c.name, c.size)
		}
		rows = append(rows, OffloadRow{c.name, c.size, baseCU, sysCU, baseNs, sysNs})
	}
	return rows, nil
}
