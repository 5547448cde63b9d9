package bench

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/internal/timing"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm/bank"
	"github.com/agora-vm/agora/vm"
)

// computeSource is the compute workload's program: a countdown of 49,990
// two-instruction iterations, about 100,000 CU, touching no account.
const computeSource = `
    mov64 r2, 49990
loop:
    sub64 r2, 1
    jne r2, 0, loop
    mov64 r0, 0
    exit
`

// SchedWorkloads names the scheduler benchmark's workloads, in order:
// non-conflicting System transfers, non-conflicting BPF transactions of
// about 100k CU, transfers that all write one account, and transfers of
// which one in ten writes a shared account.
var SchedWorkloads = []string{"transfers", "compute", "hot-account", "mixed"}

// SchedOptions configures BenchSched.
type SchedOptions struct {
	// Workloads to run (default: all of SchedWorkloads).
	Workloads []string
	// Lanes to run each workload at; 1 is always run first, as the
	// baseline of the speedups.
	Lanes []int
	// Blocks and TxsPerBlock size a round.
	Blocks, TxsPerBlock int
	// Rounds per (workload, lanes); the median is reported.
	Rounds int
}

// SchedFigure is one workload at one lane count.
type SchedFigure struct {
	Name  string  `json:"name"`
	Lanes int     `json:"lanes"`
	TPS   float64 `json:"tps"`
	// Speedup is TPS over the same workload's TPS at one lane, measured
	// in the same run.
	Speedup float64 `json:"speedup"`
	// CUPerTx is the mean compute units of a transaction.
	CUPerTx uint64 `json:"cu_per_tx"`
	// CoresUsed is the CPU time the process used per second of the timed
	// blocks (median round): on a shared machine, how many cores the run
	// actually got. Zero where the CPU time cannot be read.
	CoresUsed float64 `json:"cores_used"`
}

// schedWorld is a fresh chain and the signed blocks of one workload.
type schedWorld struct {
	genesis []bank.GenesisAccount
	prog    pubkey.Pubkey
	elf     []byte
	blocks  [][]*txn.Transaction
}

func benchKey(tag byte, i int) ed25519.PrivateKey { return seededKey(tag, 0x5c, i) }

// seededKey is the deterministic keypair number i of a family: a
// workload's tag and a benchmark's salt keep families apart.
func seededKey(tag, salt byte, i int) ed25519.PrivateKey {
	var s [32]byte
	s[0], s[1] = tag, salt
	binary.LittleEndian.PutUint32(s[2:], uint32(i))
	return ed25519.NewKeyFromSeed(s[:])
}

// memChain is a fresh chain in memory: the genesis accounts, and prog
// deployed (immutable) in block 2, its programs prepared by engine (nil:
// the interpreter) and its blocks executed on lanes.
func memChain(genesis []bank.GenesisAccount, prog pubkey.Pubkey, elfBytes []byte, engine vm.Engine, lanes int) (*store.Store, *bank.Bank, error) {
	st := store.NewMem()
	ex, err := ext.NewExecutor()
	if err == nil {
		ex.Engine = engine
		_, err = bank.Genesis(st, ex, 1, genesis)
	}
	var b *bank.Bank
	if err == nil {
		b, err = bank.Open(st, ex)
	}
	if err == nil {
		if _, err = b.Deploy(prog, elfBytes, nil, 2); err != nil {
			err = fmt.Errorf("bench: deploying %s: %w", prog, err)
		}
	}
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	b.SetScheduler(sched.Config{Lanes: lanes})
	return st, b, nil
}

// ComputeProgram returns the ELF of the compute workload's program.
func ComputeProgram() ([]byte, error) {
	return elf.Assemble(computeSource, sbpf.V0, nil, nil)
}

// newSchedWorld builds workload name's genesis; its blocks are signed
// later, against the chain's blockhashes (which are the same in every
// round: the chain is deterministic).
func newSchedWorld(name string, txs int) (*schedWorld, error) {
	w := &schedWorld{prog: pubkey.MustParse("Compute111111111111111111111111111111111111")}
	var err error
	if w.elf, err = ComputeProgram(); err != nil {
		return nil, err
	}
	for i := range txs {
		w.genesis = append(w.genesis, bank.GenesisAccount{Key: txn.PubkeyOf(benchKey(1, i)), Account: account.Account{Lamports: 1 << 40}})
	}
	w.genesis = append(w.genesis, bank.GenesisAccount{Key: hotAccount(), Account: account.Account{Lamports: 1 << 30}})
	switch name {
	case "transfers", "compute", "hot-account", "mixed":
	default:
		return nil, fmt.Errorf("bench: unknown scheduler workload %q (have %v)", name, SchedWorkloads)
	}
	return w, nil
}

func hotAccount() pubkey.Pubkey { return txn.PubkeyOf(benchKey(3, 0)) }

// block signs block number blk of workload name: one transaction per
// sender, each paying its own fee, so only the workload's own accounts
// conflict.
func (w *schedWorld) block(name string, blk, txs int, hash txn.Hash) ([]*txn.Transaction, error) {
	out := make([]*txn.Transaction, txs)
	for i := range out {
		from := benchKey(1, i)
		to := txn.PubkeyOf(benchKey(2, i))
		amount := uint64(1_000_000 + blk) // distinct per block
		var ixs []txn.Instruction
		switch {
		case name == "compute":
			ixs = []txn.Instruction{computebudget.SetComputeUnitLimit(110_000),
				{ProgramID: w.prog, Data: binary.LittleEndian.AppendUint64(nil, uint64(blk))}}
		case name == "hot-account", name == "mixed" && i%10 == 0:
			ixs = []txn.Instruction{system.Transfer(txn.PubkeyOf(from), hotAccount(), amount)}
		default:
			ixs = []txn.Instruction{system.Transfer(txn.PubkeyOf(from), to, amount)}
		}
		m, err := txn.Compile(txn.PubkeyOf(from), ixs, hash)
		if err != nil {
			return nil, err
		}
		if out[i], err = txn.Sign(m, from); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// round runs the workload's blocks at the given lanes on a fresh chain in
// memory and returns the time spent in ProcessBlock (admission,
// execution and commit) and the transactions and CU executed.
func (w *schedWorld) round(ctx context.Context, name string, lanes, blocks, txs int) (time.Duration, time.Duration, int, uint64, error) {
	st, b, err := memChain(w.genesis, w.prog, w.elf, nil, lanes)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer st.Close()
	// Signing is not timed: sign every block first. Block hashes depend
	// on the block's contents and time only, so each block's blockhash is
	// known once the one before is committed; sign against the genesis
	// successor's hash, which stays recent for 150 blocks.
	hash := b.LatestBlockhash()
	if w.blocks == nil {
		for blk := range blocks {
			txsOf, err := w.block(name, blk, txs, hash)
			if err != nil {
				return 0, 0, 0, 0, err
			}
			w.blocks = append(w.blocks, txsOf)
		}
	}
	var total, cpu time.Duration
	var n int
	var cu uint64
	for blk, txsOf := range w.blocks {
		if err := ctx.Err(); err != nil {
			return 0, 0, 0, 0, err
		}
		start, cpu0 := time.Now(), timing.ProcessCPU()
		// The next block's signatures are checked on the spare lanes
		// while this one runs, as a chain's sigverify stage runs ahead
		// (nothing at one lane); the timed span covers all of that work.
		if blk+1 < len(w.blocks) {
			b.Precheck(w.blocks[blk+1])
		}
		res, err := b.ProcessBlock(txsOf, int64(3+blk))
		total += time.Since(start)
		cpu += timing.ProcessCPU() - cpu0
		if err != nil {
			return 0, 0, 0, 0, err
		}
		for _, r := range res.Txs {
			if r.Err != nil {
				return 0, 0, 0, 0, fmt.Errorf("bench: %s: transaction failed: %v %v", name, r.Err, r.Logs)
			}
			cu += r.CU
			n++
		}
	}
	return total, cpu, n, cu, nil
}

// BenchSched runs the scheduler's workloads through the bank (in-memory
// store) at each lane count and reports transactions per second and the
// speedup over one lane measured in the same run. Rounds of different
// lane counts alternate, so drift in the machine's load touches them
// alike.
func BenchSched(ctx context.Context, o SchedOptions) ([]SchedFigure, error) {
	if len(o.Workloads) == 0 {
		o.Workloads = SchedWorkloads
	}
	if o.Blocks <= 0 || o.TxsPerBlock <= 0 || o.Blocks > 150 {
		return nil, fmt.Errorf("bench: need 1..150 blocks and a positive number of transactions per block")
	}
	o.Rounds = max(o.Rounds, 1)
	lanes := []int{1}
	for _, l := range o.Lanes {
		if l < 1 {
			return nil, fmt.Errorf("bench: lanes must be positive, got %d", l)
		}
		if !slices.Contains(lanes, l) {
			lanes = append(lanes, l)
		}
	}
	var out []SchedFigure
	for _, name := range o.Workloads {
		w, err := newSchedWorld(name, o.TxsPerBlock)
		if err != nil {
			return nil, err
		}
		tps := make([][]float64, len(lanes))
		cores := make([][]float64, len(lanes))
		var cuPerTx uint64
		// A first, untimed round warms the program cache, the allocator
		// and the CPU's caches.
		if _, _, _, _, err := w.round(ctx, name, 1, o.Blocks, o.TxsPerBlock); err != nil {
			return nil, err
		}
		for range o.Rounds {
			for li, l := range lanes {
				d, cpu, n, cu, err := w.round(ctx, name, l, o.Blocks, o.TxsPerBlock)
				if err != nil {
					return nil, err
				}
				tps[li] = append(tps[li], float64(n)/d.Seconds())
				cores[li] = append(cores[li], cpu.Seconds()/d.Seconds())
				cuPerTx = cu / uint64(max(n, 1))
			}
		}
		base := timing.Median(tps[0])
		for li, l := range lanes {
			t := timing.Median(tps[li])
			out = append(out, SchedFigure{Name: name, Lanes: l, TPS: t, Speedup: t / base, CUPerTx: cuPerTx, CoresUsed: timing.Median(cores[li])})
		}
	}
	return out, nil
}

// Cores is the number of CPUs the process may use.
func Cores() int { return runtime.GOMAXPROCS(0) }
