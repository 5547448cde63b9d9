package bench

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/agora-vm/agora/ext/offload"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// OffloadRow compares one offloaded operation done as an sBPF bytecode
// loop and as agora_hw_offload_submit + poll on the CPU backend, on the
// same input in the same run: CU and wall time per run. Both programs
// write the result after the request in the input, and the rows are only
// reported when the two results are byte-identical.
type OffloadRow struct {
	Name       string  `json:"name"`
	Size       string  `json:"size"`
	BytecodeCU uint64  `json:"bytecode_cu"`
	SyscallCU  uint64  `json:"syscall_cu"`
	BytecodeNs float64 `json:"bytecode_ns"`
	SyscallNs  float64 `json:"syscall_ns"`
}

// offloadRun is a run's context: it holds the run's task table.
type offloadRun struct{ tasks offload.Tasks }

func (c *offloadRun) OffloadTasks() *offload.Tasks { return &c.tasks }

// matmulBytecode is an int8×int8→int32 n×n×n matrix multiply over the
// request layout (A at 24, B after it, C after the request), the loop a
// program without the extension runs.
func matmulBytecode(n int) string {
	offB := offload.HeaderSize + n*n
	offC := offload.HeaderSize + 2*n*n
	r := strings.NewReplacer("NN", fmt.Sprint(n), "OFFB", fmt.Sprint(offB), "OFFC", fmt.Sprint(offC), "HDR", fmt.Sprint(offload.HeaderSize))
	return r.Replace(`
    mov64 r9, r1
    mov64 r6, 0
row:
    mov64 r7, 0
col:
    mov64 r0, 0
    mov64 r8, 0
dot:
    mov64 r2, r6
    mul64 r2, NN
    add64 r2, r8
    add64 r2, r9
    ldxb r3, [r2+HDR]
    lsh64 r3, 56
    arsh64 r3, 56
    mov64 r4, r8
    mul64 r4, NN
    add64 r4, r7
    add64 r4, r9
    add64 r4, OFFB
    ldxb r5, [r4+0]
    lsh64 r5, 56
    arsh64 r5, 56
    mul64 r3, r5
    add64 r0, r3
    add64 r8, 1
    jlt r8, NN, dot
    mov64 r2, r6
    mul64 r2, NN
    add64 r2, r7
    lsh64 r2, 2
    add64 r2, r9
    add64 r2, OFFC
    stxw [r2+0], r0
    add64 r7, 1
    jlt r7, NN, col
    add64 r6, 1
    jlt r6, NN, row
    mov64 r0, 0
    exit
`)
}

// offloadSyscall submits the request at the input's start to accelerator
// 1 and polls until it is done, the result going after the request.
func offloadSyscall(reqLen, outLen int) string {
	r := strings.NewReplacer("REQLEN", fmt.Sprint(reqLen), "OUTLEN", fmt.Sprint(outLen))
	return r.Replace(`
    mov64 r9, r1
    mov64 r1, 1
    mov64 r2, r9
    mov64 r3, REQLEN
    hw_offload_submit
    jeq r0, 0, fail
    mov64 r6, r0
poll:
    mov64 r1, r6
    mov64 r2, r9
    add64 r2, REQLEN
    mov64 r3, OUTLEN
    hw_offload_poll
    jeq r0, 0, poll
    sub64 r0, 1
    exit
fail:
    mov64 r0, 99
    exit
`)
}

// BenchOffload measures MATMUL_I8 at each size (n×n×n), each program run
// reps times (at least once).
func BenchOffload(sizes []int, reps int) ([]OffloadRow, error) {
	reg := syscalls.NewRegistry()
	if err := offload.Register(reg); err != nil {
		return nil, err
	}
	rows := make([]OffloadRow, 0, len(sizes))
	for _, n := range sizes {
		if n < 1 || n > 128 {
			// The bytecode loop addresses B with a 16-bit offset.
			return nil, fmt.Errorf("offload bench: size %d outside 1..128", n)
		}
		rng := rand.New(rand.NewPCG(uint64(n), 1))
		a, b := make([]byte, n*n), make([]byte, n*n)
		for i := range a {
			a[i], b[i] = byte(rng.Uint32()), byte(rng.Uint32())
		}
		req := offload.EncodeRequest(offload.OpMatMulI8, uint32(n), uint32(n), uint32(n), 0, a, b)
		outLen := 4 * n * n
		byteCU, byteNs, byteOut, err := runOffloadCase(reg, matmulBytecode(n), req, outLen, reps)
		if err != nil {
			return nil, fmt.Errorf("bytecode %d: %w", n, err)
		}
		sysCU, sysNs, sysOut, err := runOffloadCase(reg, offloadSyscall(len(req), outLen), req, outLen, reps)
		if err != nil {
			return nil, fmt.Errorf("syscall %d: %w", n, err)
		}
		if !bytes.Equal(byteOut, sysOut) {
			return nil, fmt.Errorf("offload bench: MATMUL %d: bytecode and syscall results differ", n)
		}
		rows = append(rows, OffloadRow{"MATMUL", fmt.Sprintf("%dx%dx%d", n, n, n), byteCU, sysCU, byteNs, sysNs})
	}
	return rows, nil
}

func runOffloadCase(reg *vm.Registry, src string, req []byte, outLen, reps int) (uint64, float64, []byte, error) {
	p, err := asm.Assemble(src, sbpf.V0, &asm.Options{Aliases: offload.Aliases()})
	if err != nil {
		return 0, 0, nil, err
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
	if err != nil {
		return 0, 0, nil, err
	}
	m := vm.NewMachine()
	input := make([]byte, len(req)+outLen)
	var cu uint64
	start := time.Now()
	for range max(reps, 1) {
		copy(input, req)
		clear(input[len(req):])
		res := exe.Run(m, vm.RunOptions{Input: input, Budget: 1 << 40, Context: &offloadRun{}})
		if res.Err != nil {
			return 0, 0, nil, res.Err
		}
		if res.R0 != 0 {
			return 0, 0, nil, fmt.Errorf("program returned %d", res.R0)
		}
		cu = res.CU
	}
	ns := float64(time.Since(start).Nanoseconds()) / float64(max(reps, 1))
	return cu, ns, append([]byte(nil), input[len(req):]...), nil
}
