package trace

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/bench"
	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/internal/testutil"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// splStep is one SPL Token instruction over the flow's accounts (indexes
// into splFlow's account list).
type splStep struct {
	name  string
	data  []byte
	metas []abi.AccountMeta
}

// The flow's accounts.
const (
	splMint = iota
	splA
	splB
	splOwner
	splDelegate
	splAuthority
)

func w(i int) abi.AccountMeta  { return abi.AccountMeta{Index: i, Writable: true} }
func ro(i int) abi.AccountMeta { return abi.AccountMeta{Index: i} }
func sg(i int) abi.AccountMeta { return abi.AccountMeta{Index: i, Signer: true} }

func u64le(tag byte, v uint64, more ...byte) []byte {
	return append(binary.LittleEndian.AppendUint64([]byte{tag}, v), more...)
}

// splFlow is a token's life after its mint and two accounts were
// initialized: mint to the first account, transfer, approve a delegate
// who transfers (checked), burn the second account's balance and close
// it. (InitializeMint2 and InitializeAccount3 read the Rent sysvar through
// sol_get_sysvar, which only the runtime provides; cmd/agora's
// TestReplayEqualsRecordSPLTokenInit records them through agora run
// --accounts.) Amounts come from r, so
// some steps fail (more than the balance or the allowance); the flow
// goes on with the state the failure left.
func splFlow(r *rand.Rand, keys [][32]byte, balanceB func() uint64) []func() splStep {
	mintAmount := uint64(r.IntN(2000))
	return []func() splStep{
		func() splStep {
			return splStep{"MintTo", u64le(7, mintAmount), []abi.AccountMeta{w(splMint), w(splA), sg(splAuthority)}}
		},
		func() splStep {
			return splStep{"Transfer", u64le(3, uint64(r.IntN(1200))), []abi.AccountMeta{w(splA), w(splB), sg(splOwner)}}
		},
		func() splStep {
			return splStep{"Approve", u64le(4, uint64(r.IntN(500))), []abi.AccountMeta{w(splA), ro(splDelegate), sg(splOwner)}}
		},
		func() splStep {
			return splStep{"TransferChecked", u64le(12, uint64(r.IntN(600)), splDecimals), []abi.AccountMeta{w(splA), ro(splMint), w(splB), sg(splDelegate)}}
		},
		func() splStep {
			return splStep{"Burn", u64le(8, balanceB()), []abi.AccountMeta{w(splB), w(splMint), sg(splOwner)}}
		},
		func() splStep {
			return splStep{"CloseAccount", []byte{9}, []abi.AccountMeta{w(splB), w(splOwner), sg(splOwner)}}
		},
	}
}

const splDecimals = 6

// splMintData is an initialized mint with authority and no freeze
// authority (spl-token's Mint layout).
func splMintData(authority [32]byte) []byte {
	d := make([]byte, bench.SPLMintSize)
	d[0] = 1 // COption::Some
	copy(d[4:], authority[:])
	d[44] = splDecimals
	d[45] = 1 // is_initialized
	return d
}

// TestReplayEqualsRecordSPLToken is the replay property over the mainnet
// SPL Token program: random SPL Token flows, each instruction recorded,
// encoded, decoded and replayed; every replay matches (r0, error, compute
// units, logs, final memory), and the recorded run equals a plain run of
// the same instruction (r0, error, compute units, logs, the input region
// it leaves). AGORA_SPL_TOKEN names the program's ELF, which is not part
// of the repository.
func TestReplayEqualsRecordSPLToken(t *testing.T) {
	elfBytes := testutil.SPLToken(t)
	reg := syscalls.NewRegistry()
	opts := elf.RuntimeOptions()
	prog, err := elf.Load(elfBytes, reg, &opts)
	if err != nil {
		t.Fatal(err)
	}
	plainExe, err := vm.Interpreter{}.Prepare(prog, reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(Options{Interval: 64})
	wrapped, err := rec.Registry(reg)
	if err != nil {
		t.Fatal(err)
	}
	recExe, err := vm.Interpreter{}.Prepare(prog, wrapped, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	const budget = 200_000
	succeeded := map[string]int{}
	for seed := range uint64(6) {
		r := rand.New(rand.NewPCG(seed, 18))
		keys := make([][32]byte, 6)
		for i := range keys {
			for j := range keys[i] {
				keys[i][j] = byte(seed*40 + uint64(i)*7 + uint64(j))
			}
		}
		accounts := []abi.Account{
			{Key: keys[splMint], Owner: bench.SPLTokenProgramID, Lamports: 1_461_600, Data: splMintData(keys[splAuthority])},
			{Key: keys[splA], Owner: bench.SPLTokenProgramID, Lamports: 2_039_280, Data: bench.SPLTokenAccount(keys[splMint], keys[splOwner], 0)},
			{Key: keys[splB], Owner: bench.SPLTokenProgramID, Lamports: 2_039_280, Data: bench.SPLTokenAccount(keys[splMint], keys[splOwner], 0)},
			{Key: keys[splOwner], Lamports: 5_000_000},
			{Key: keys[splDelegate], Lamports: 5_000_000},
			{Key: keys[splAuthority], Lamports: 5_000_000},
		}
		steps := splFlow(r, keys, func() uint64 { return bench.SPLTokenAmount(accounts[splB].Data) })
		for _, mk := range steps {
			st := mk()
			what := fmt.Sprintf("seed %d %s", seed, st.name)
			input, layout, err := abi.Serialize(accounts, &abi.Instruction{ProgramID: bench.SPLTokenProgramID, Accounts: st.metas, Data: st.data})
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			plainIn := bytes.Clone(input)
			pctx := syscalls.NewContext(bench.SPLTokenProgramID)
			want := plainExe.Run(vm.NewMachine(), vm.RunOptions{Input: plainIn, Budget: budget, Context: pctx})

			ctx := syscalls.NewContext(bench.SPLTokenProgramID)
			recIn := bytes.Clone(input)
			got, tr := rec.Run(vm.NewMachine(), recExe, vm.RunOptions{Input: recIn, Budget: budget, Context: ctx})
			if got.R0 != want.R0 || got.CU != want.CU || errInfo(got.Err) != nil != (want.Err != nil) ||
				!slices.Equal(ctx.Messages(), pctx.Messages()) || !bytes.Equal(recIn, plainIn) {
				t.Fatalf("%s: recorded r0=%#x cu=%d err=%v, plain r0=%#x cu=%d err=%v", what, got.R0, got.CU, got.Err, want.R0, want.CU, want.Err)
			}
			rep, err := Replay(roundTrip(t, tr))
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if rep.Divergence != nil {
				t.Fatalf("%s: %v", what, rep.Divergence)
			}
			if rep.Result.R0 != want.R0 || rep.Result.CU != want.CU || !bytes.Equal(rep.Final.Input, plainIn) || !slices.Equal(rep.Logs, pctx.Messages()) {
				t.Fatalf("%s: replay r0=%#x cu=%d, plain r0=%#x cu=%d", what, rep.Result.R0, rep.Result.CU, want.R0, want.CU)
			}
			if want.Err != nil || want.R0 != 0 {
				t.Logf("%s: r0=%#x err=%v logs=%q", what, want.R0, want.Err, pctx.Messages())
				continue
			}
			after, err := abi.Deserialize(plainIn, layout)
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			accounts = after
			succeeded[st.name]++
		}
	}
	// The flow must exercise every instruction, not fail early.
	for _, name := range []string{"MintTo", "Transfer", "Approve", "TransferChecked", "Burn", "CloseAccount"} {
		if succeeded[name] == 0 {
			t.Errorf("%s never succeeded: %v", name, succeeded)
		}
	}
	t.Logf("instructions that succeeded: %v", succeeded)
}
