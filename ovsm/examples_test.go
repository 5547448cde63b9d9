package ovsm

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/ext/offload"
	"github.com/agora-vm/agora/ext/zk"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// exampleSyscalls lists, per example of examples/ovsm, the syscalls it
// must import beyond the standard ones, and what it waits for when they
// cannot all run in these tests.
var exampleSyscalls = map[string]struct {
	syscalls []string
	waits    string
	heap     int
}{
	"atomic-swap":       {[]string{"agora_tx_begin", "agora_tx_commit", "agora_tx_abort"}, "", 0},
	"bls-agent":         {[]string{"agora_bls_verify"}, "", 0},
	"zk-privacy-agent":  {[]string{"agora_groth16_verify"}, "", 0},
	"vcg-auction-agent": {[]string{"agora_auction_create", "agora_auction_bid", "agora_auction_settle", "sol_get_clock_sysvar", "sol_try_find_program_address"}, "runs in ovsm/econtest (the econ syscalls need the runtime)", 0},
	"escrow-agent":      {[]string{"agora_escrow_create", "agora_escrow_release", "sol_get_clock_sysvar", "sol_try_find_program_address"}, "runs in ovsm/econtest (the econ syscalls need the runtime)", 0},
	"parallel-agent":    {[]string{"agora_parallel_spawn", "agora_parallel_join"}, "", 0},
	// its 1000-message heap ring needs a 256 KiB heap
	"price-oracle-agent":     {[]string{"agora_ring_create", "agora_ring_push", "sol_get_clock_sysvar"}, "", 256 << 10},
	"trading-agent-1":        {[]string{"agora_ring_pop"}, "", 0},
	"trading-agent-2":        {[]string{"agora_ring_pop"}, "", 0},
	"debuggable-agent":       {nil, "", 0},
	"fpga-accelerated-agent": {[]string{"agora_hw_offload_query", "agora_hw_offload_submit", "agora_hw_offload_poll"}, "", 0},
}

// extRegistry is the standard syscalls, every extension family of ext/,
// and a stand-in for sol_get_clock_sysvar (which package runtime serves
// inside transactions) writing a Clock at slot 7.
func extRegistry(t testing.TB) *vm.Registry {
	reg := syscalls.NewRegistry()
	if err := ext.Register(reg); err != nil {
		t.Fatal(err)
	}
	reg.MustRegister("sol_get_clock_sysvar", func(m *vm.Machine, addr, _, _, _, _ uint64) (uint64, error) {
		if err := m.Consume(100 + 40); err != nil {
			return 0, err
		}
		b, err := m.Translate(vm.Store, addr, 40)
		if err != nil {
			return 0, err
		}
		clear(b)
		binary.LittleEndian.PutUint64(b, 7) // slot
		return 0, nil
	})
	return reg
}

func readExample(t *testing.T, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "examples", "ovsm", name+".ovsm"))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// elfImports returns the undefined dynamic symbols of a V0 ELF and the
// names the R_BPF_64_32 relocations refer to.
func elfImports(t *testing.T, so []byte) (imports, relocated []string) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(so))
	if err != nil {
		t.Fatal(err)
	}
	syms, err := f.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range syms {
		if s.Section == elf.SHN_UNDEF && s.Name != "" {
			imports = append(imports, s.Name)
		}
	}
	rel := f.Section(".rel.dyn")
	if rel == nil {
		return imports, nil
	}
	data, err := rel.Data()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := 0; i+16 <= len(data); i += 16 {
		info := uint64(data[i+8]) | uint64(data[i+9])<<8 | uint64(data[i+10])<<16 | uint64(data[i+11])<<24 |
			uint64(data[i+12])<<32 | uint64(data[i+13])<<40 | uint64(data[i+14])<<48 | uint64(data[i+15])<<56
		typ, idx := uint32(info), int(info>>32)
		if typ == 10 && idx > 0 && idx-1 < len(syms) && syms[idx-1].Section == elf.SHN_UNDEF && !seen[syms[idx-1].Name] {
			seen[syms[idx-1].Name] = true
			relocated = append(relocated, syms[idx-1].Name)
		}
	}
	sort.Strings(relocated)
	return imports, relocated
}

// TestExamplesCompile compiles every example for V0 and V3 and checks the
// extension syscalls it calls are relocated (V0) and present (V3). Those
// whose syscalls are all registered here run in the tests below; the
// others say what they wait for.
func TestExamplesCompile(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "examples", "ovsm", "*.ovsm"))
	if len(files) != len(exampleSyscalls) {
		t.Fatalf("%d examples, %d expected", len(files), len(exampleSyscalls))
	}
	full := extRegistry(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".ovsm")
		t.Run(name, func(t *testing.T) {
			want, ok := exampleSyscalls[name]
			if !ok {
				t.Fatalf("no expectations for %s", name)
			}
			src := readExample(t, name)
			for _, v := range []sbpf.Version{sbpf.V0, sbpf.V3} {
				out, err := Compile(src, name+".ovsm", Options{Version: v, HeapSize: want.heap})
				if err != nil {
					t.Fatalf("%s: %v", v, err)
				}
				if len(out.Warnings) > 0 {
					t.Errorf("%s: warnings %v", v, out.Warnings)
				}
				for _, s := range want.syscalls {
					found := false
					for _, got := range out.Syscalls {
						found = found || got == s
					}
					if !found {
						t.Errorf("%s: %s not called (calls %v)", v, s, out.Syscalls)
					}
				}
				if v == sbpf.V0 {
					_, relocated := elfImports(t, out.ELF)
					for _, s := range want.syscalls {
						if i := sort.SearchStrings(relocated, s); i >= len(relocated) || relocated[i] != s {
							t.Errorf("no R_BPF_64_32 relocation against %s (relocated: %v)", s, relocated)
						}
					}
				}
			}
			var missing []string
			out, _ := Compile(src, name+".ovsm", Options{HeapSize: want.heap})
			for _, s := range out.Syscalls {
				if !full.HasSyscall(sbpf.SyscallHash(s)) {
					missing = append(missing, s)
				}
			}
			if len(missing) > 0 || want.waits != "" {
				t.Logf("compiles; relocations checked; does not run here: %s (needs %v)", want.waits, missing)
			}
		})
	}
}

// TestExampleDebuggableAgent runs the one example that needs nothing
// beyond the standard syscalls, on its success and its failure path.
func TestExampleDebuggableAgent(t *testing.T) {
	out, err := Compile(readExample(t, "debuggable-agent"), "debuggable-agent.ovsm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := make([]byte, 8)
	d[0] = 200 // pay 200 lamports
	accs := []abi.Account{acct(1, 1000, d), acct(2, 10, nil)}
	r := execute(t, out, runOpts{accounts: accs})
	if r.Err != nil {
		t.Fatalf("%v %q", r.Err, r.Logs)
	}
	if r.Accounts[0].Lamports != 800 || r.Accounts[1].Lamports != 210 {
		t.Fatalf("balances %d %d", r.Accounts[0].Lamports, r.Accounts[1].Lamports)
	}
	for _, l := range []string{"tracing: on", "paid amount=200", "tracing: off"} {
		if !logsContain(r.Logs, l) {
			t.Fatalf("logs %q lack %q", r.Logs, l)
		}
	}
	t.Logf("success path: %d CU, logs %q", r.CU, r.Logs)
	// failure: the error is caught, the trace helpers run, the program
	// returns normally and nothing moved
	accs[0].Lamports = 100
	r = execute(t, out, runOpts{accounts: accs})
	if r.Err != nil {
		t.Fatalf("%v %q", r.Err, r.Logs)
	}
	if r.Accounts[0].Lamports != 100 || r.Accounts[1].Lamports != 10 {
		t.Fatalf("balances %d %d", r.Accounts[0].Lamports, r.Accounts[1].Lamports)
	}
	for _, l := range []string{"Error occurred, trace saved", "trace path=failed-execution-12345.trace", "tracing: off"} {
		if !logsContain(r.Logs, l) {
			t.Fatalf("logs %q lack %q", r.Logs, l)
		}
	}
	t.Logf("failure path: %d CU, logs %q", r.CU, r.Logs)
}

// TestExampleAtomicSwap runs atomic-swap on ext/txmem: the swap commits
// with enough funds; with too few it aborts, both accounts are as before
// and the instruction fails with the proposal's message.
func TestExampleAtomicSwap(t *testing.T) {
	out, err := Compile(readExample(t, "atomic-swap"), "atomic-swap.ovsm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	metas := []abi.AccountMeta{{Index: 0, Signer: true, Writable: true}, {Index: 1, Writable: true}}
	r := execute(t, out, runOpts{accounts: []abi.Account{acct(1, 1000, nil), acct(2, 7, nil)}, metas: metas, registry: extRegistry(t)})
	if r.Err != nil || r.R0 != 0 {
		t.Fatalf("r0=%d err %v logs %q", r.R0, r.Err, r.Logs)
	}
	if r.Accounts[0].Lamports != 900 || r.Accounts[1].Lamports != 107 {
		t.Fatalf("balances %d %d", r.Accounts[0].Lamports, r.Accounts[1].Lamports)
	}
	t.Logf("commit path: %d CU", r.CU)

	accs := []abi.Account{acct(1, 50, nil), acct(2, 7, nil)}
	var pid [32]byte
	pid[0] = 0xAA
	input, layout, err := abi.Serialize(accs, &abi.Instruction{ProgramID: pid, Accounts: metas})
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(out.Program, extRegistry(t), vm.Config{HeapSize: out.HeapSize})
	if err != nil {
		t.Fatal(err)
	}
	ctx := syscalls.NewContext(pid)
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: 200_000, Context: ctx})
	if res.Err == nil || !logsContain(ctx.Messages(), "error: Transaction failed: error: Insufficient funds") {
		t.Fatalf("err %v logs %q", res.Err, ctx.Messages())
	}
	after, err := abi.Deserialize(input, layout)
	if err != nil {
		t.Fatal(err)
	}
	if after[0].Lamports != 50 || after[1].Lamports != 7 {
		t.Fatalf("not restored: %d %d", after[0].Lamports, after[1].Lamports)
	}
	t.Logf("abort path: %d CU, logs %q, error %v", res.CU, ctx.Messages(), res.Err)
}

// TestExampleBLSAgent runs bls-agent on ext/crypto with a signature made
// here: a valid one executes the action, a forged one is refused.
func TestExampleBLSAgent(t *testing.T) {
	out, err := Compile(readExample(t, "bls-agent"), "bls-agent.ovsm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("buy 10 SOL at 142.5")
	pkb, sigb := blsSign(t, big.NewInt(0x1234567890), msg)
	for _, tc := range []struct {
		message string
		count   byte
		log     string
	}{{string(msg), 1, "signature valid: action executed count=1"}, {"sell everything", 0, "Invalid signature"}} {
		data, err := EncodeData([]byte(fmt.Sprintf(`{"pubkey":{"$hex":"%x"},"signature":{"$hex":"%x"},"message":%q}`, pkb, sigb, tc.message)))
		if err != nil {
			t.Fatal(err)
		}
		r := execute(t, out, runOpts{accounts: []abi.Account{acct(1, 10, make([]byte, 8))}, data: data, registry: extRegistry(t)})
		if r.Err != nil || !logsContain(r.Logs, tc.log) || r.Accounts[0].Data[0] != tc.count {
			t.Fatalf("%q: err %v logs %q", tc.message, r.Err, r.Logs)
		}
		t.Logf("%q: %d CU, logs %q", tc.message, r.CU, r.Logs)
	}
}

// TestExampleZKPrivacyAgent runs zk-privacy-agent on ext/zk with the
// snarkjs Groth16 fixture of ext/zk/testdata: the proof of c = a·b with
// a = 3, c = 33 is accepted, and with tampered public inputs refused.
func TestExampleZKPrivacyAgent(t *testing.T) {
	dir := filepath.Join("..", "ext", "zk", "testdata", "snarkjs")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("the committed snarkjs fixture is missing: %v", err)
		}
		return b
	}
	vk, proof, public, err := zk.ConvertSnarkJS(read("verification_key.json"), read("proof.json"), read("public.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Compile(readExample(t, "zk-privacy-agent"), "zk-privacy-agent.ovsm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	amount := make([]byte, 8)
	amount[0] = 25
	for _, tc := range []struct {
		inputs []byte
		moved  uint64
		log    string
	}{{public, 25, "private trade settled amount=25"}, {append(append([]byte(nil), public[:len(public)-1]...), public[len(public)-1]^1), 0, "Invalid ZK proof"}} {
		data, err := EncodeData([]byte(fmt.Sprintf(`{"proof":{"$hex":"%x"},"inputs":{"$hex":"%x"},"verification-key":{"$hex":"%x"}}`, proof, tc.inputs, vk)))
		if err != nil {
			t.Fatal(err)
		}
		r := execute(t, out, runOpts{accounts: []abi.Account{acct(1, 100, amount), acct(2, 0, nil)}, data: data, registry: extRegistry(t)})
		if r.Err != nil || !logsContain(r.Logs, tc.log) || r.Accounts[1].Lamports != tc.moved {
			t.Fatalf("err %v logs %q", r.Err, r.Logs)
		}
		t.Logf("%d CU, logs %q", r.CU, r.Logs)
	}
}

// TestExampleRing runs the proposal's message-passing programs on
// ext/ring: the price oracle pushes to its heap ring; a producer formats
// account 5's data as a ring and pushes two events, which trading-agent-1
// and trading-agent-2 then pop, one each, in later instructions.
func TestExampleRing(t *testing.T) {
	reg := extRegistry(t)
	oracle, err := Compile(readExample(t, "price-oracle-agent"), "price-oracle-agent.ovsm", Options{HeapSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	r := execute(t, oracle, runOpts{registry: reg})
	if r.Err != nil || r.R0 != 0 {
		t.Fatalf("oracle: r0=%d err %v logs %q", r.R0, r.Err, r.Logs)
	}
	t.Logf("price-oracle-agent: %d CU", r.CU)

	producer := compileOK(t, `(define-program producer
  (entrypoint (accounts instruction-data)
    (define stream (get accounts 5))
    (ring-buffer-format stream 8 256)
    (for (p [142500000 143000000])
      (assert (ring-buffer-push stream {:type "PRICE_UPDATE" :asset "SOL/USD" :price p :timestamp (sol-get-slot) :confidence 0.95}) "ring full"))
    0))`, Options{})
	accs := make([]abi.Account, 6)
	for i := range accs {
		accs[i] = acct(byte(i+1), 1, nil)
	}
	accs[5].Data = make([]byte, 192+8*(16+256))
	r = execute(t, producer, runOpts{accounts: accs, registry: reg})
	if r.Err != nil {
		t.Fatalf("producer: %v %q", r.Err, r.Logs)
	}
	accs = r.Accounts
	for i, name := range []string{"trading-agent-1", "trading-agent-2"} {
		out, err := Compile(readExample(t, name), name+".ovsm", Options{})
		if err != nil {
			t.Fatal(err)
		}
		r := execute(t, out, runOpts{accounts: accs, registry: reg})
		if r.Err != nil {
			t.Fatalf("%s: %v %q", name, r.Err, r.Logs)
		}
		if i == 0 && !(logsContain(r.Logs, "Received event type=PRICE_UPDATE") && logsContain(r.Logs, "price update asset=SOL/USD price=142500000")) {
			t.Fatalf("%s: logs %q", name, r.Logs)
		}
		accs = r.Accounts
		t.Logf("%s: %d CU, logs %q", name, r.CU, r.Logs)
	}
	// both events consumed: the ring is empty for consumer 0
	r = execute(t, out1(t), runOpts{accounts: accs, registry: reg})
	if r.Err != nil || !logsContain(r.Logs, "No events") {
		t.Fatalf("third pop: %v %q", r.Err, r.Logs)
	}
}

func out1(t *testing.T) *Output {
	out, err := Compile(readExample(t, "trading-agent-1"), "trading-agent-1.ovsm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExampleFPGAAcceleratedAgent runs fpga-accelerated-agent twice:
// with the CPU backend the layer is one MATMUL task, with no accelerator
// the helper computes it in bytecode; both log the same eight outputs,
// which equal the product computed here.
func TestExampleFPGAAcceleratedAgent(t *testing.T) {
	out, err := Compile(readExample(t, "fpga-accelerated-agent"), "fpga-accelerated-agent.ovsm", Options{})
	if err != nil {
		t.Fatal(err)
	}
	features := []int64{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8}
	weights := []int64{
		2, 7, 1, 8, 2, 8, 1, 8, -3, 1, 4, 1, -5, 9, 2, 6, 5, 3, 5, 8, 9, 7, -9, 3,
		2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5, 0, 2, 8, 8, 4, 1, 9, 7,
		1, 6, 9, 3, 9, 9, 3, 7, 5, 1, 0, 5, 8, 2, 0, 9, -7, 4, 9, 4, 4, 5, 9, 2,
		3, 0, 7, 8, 1, 6, 4, 0, 6, 2, 8, 6, 2, 0, 8, 9, 9, 8, 6, 2, 8, 0, 3, 4}
	var want []string
	for j := range 8 {
		var acc int64
		for i, x := range features {
			acc += x * weights[i*8+j]
		}
		want = append(want, fmt.Sprint(acc))
	}
	wantOut := "output=[" + strings.Join(want, " ") + "]"

	none, err := offload.NewBackends()
	if err != nil {
		t.Fatal(err)
	}
	bare := syscalls.NewRegistry()
	if err := offload.RegisterBackends(bare, none); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		reg  *vm.Registry
		log  string
	}{
		{"cpu backend", extRegistry(t), "FPGA inference " + wantOut},
		{"no accelerator", bare, "software inference " + wantOut},
	} {
		r := execute(t, out, runOpts{accounts: []abi.Account{acct(1, 10, nil)}, registry: tc.reg, offload: true})
		if r.Err != nil || r.R0 != 0 || !logsContain(r.Logs, tc.log) {
			t.Fatalf("%s: err %v r0 %d logs %q, want %q", tc.name, r.Err, r.R0, r.Logs, tc.log)
		}
		t.Logf("%s: %d CU, logs %q", tc.name, r.CU, r.Logs)
	}
}
