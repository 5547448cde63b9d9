package bench

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/internal/timing"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm/bank"
	"github.com/agora-vm/agora/vm"
	"github.com/agora-vm/agora/vm/jit"
)

// ChainEngineWorkloads names the workloads BenchChainEngines compares, in
// order: the chain benchmark's lamport transfer, a BPF transaction of
// about 100,000 CU of pure computation, and SPL Token Transfer
// instructions (which need the SPL Token ELF).
var ChainEngineWorkloads = []string{"transfer", "compute-100k", "spl-token-transfer"}

// ChainEngineOptions configures BenchChainEngines.
type ChainEngineOptions struct {
	// Blocks and TxsPerBlock size the timed part of a round; one more,
	// untimed block before them prepares (and compiles) the program.
	Blocks, TxsPerBlock int
	// Rounds per engine; the median is reported.
	Rounds int
	// SPLToken is the SPL Token program's ELF; nil skips that workload
	// with SPLTokenMissing as the reason.
	SPLToken        []byte
	SPLTokenMissing string
}

// ChainEngineFigure is one workload on both engines, measured in the
// same run.
type ChainEngineFigure struct {
	Workload string `json:"workload"`
	// Skipped says why the workload did not run; every figure is then
	// zero.
	Skipped string `json:"skipped,omitempty"`
	// Transactions is the number timed per round on each engine.
	Transactions int    `json:"transactions"`
	Rounds       int    `json:"rounds"`
	CUPerTx      uint64 `json:"cu_per_tx"`
	// InterpUsPerTx and JITUsPerTx are the median wall time of a
	// transaction through the bank (ProcessBlock: admission, execution
	// and commit) in microseconds; JITSpeedup is their ratio.
	InterpUsPerTx float64 `json:"interp_us_per_tx"`
	JITUsPerTx    float64 `json:"jit_us_per_tx"`
	JITSpeedup    float64 `json:"jit_speedup"`
	// JITCompiled reports whether the JIT compiled the program; when it
	// did not, JITFallback says why and the JIT column is the interpreter.
	JITCompiled bool   `json:"jit_compiled"`
	JITFallback string `json:"jit_fallback,omitempty"`
	// Identical is true when every round on both engines gave the same
	// transaction results (status, CU, logs, return data) and the same
	// block hashes (so the same state); BenchChainEngines fails otherwise.
	Identical bool `json:"identical"`
}

// ErrEnginesDiverge is returned when the two engines give different
// results on the same blocks.
var ErrEnginesDiverge = errors.New("bench: the interpreter and the JIT diverge")

// engineWorld is one workload: its genesis, program and signed blocks.
type engineWorld struct {
	name    string
	prog    pubkey.Pubkey
	elf     []byte
	genesis []bank.GenesisAccount
	// sign returns block blk's transactions against hash.
	sign   func(blk int, hash txn.Hash) ([]*txn.Transaction, error)
	blocks [][]*txn.Transaction
}

func engineKey(tag byte, i int) ed25519.PrivateKey { return seededKey(tag, 0xe9, i) }

// newEngineWorld builds workload name for blocks of txs transactions.
// Every transaction has its own fee payer, and no two in a block write
// the same account.
func newEngineWorld(name string, txs int, o ChainEngineOptions) (*engineWorld, error) {
	w := &engineWorld{name: name}
	payer := func(i int) ed25519.PrivateKey { return engineKey(1, i) }
	for i := range txs {
		w.genesis = append(w.genesis, bank.GenesisAccount{Key: txn.PubkeyOf(payer(i)), Account: account.Account{Lamports: 1 << 40}})
	}
	var err error
	// ixs returns transaction i of block blk's instructions and extra
	// signers.
	var ixs func(blk, i int) ([]txn.Instruction, []ed25519.PrivateKey)
	switch name {
	case "transfer":
		w.prog = pubkey.MustParse("Transfer11111111111111111111111111111111111")
		if w.elf, err = TransferProgram(); err != nil {
			return nil, err
		}
		for i := range txs {
			w.genesis = append(w.genesis,
				bank.GenesisAccount{Key: txn.PubkeyOf(engineKey(2, i)), Account: account.Account{Lamports: 1 << 50, Owner: w.prog}},
				bank.GenesisAccount{Key: txn.PubkeyOf(engineKey(3, i)), Account: account.Account{Lamports: 1 << 20, Owner: w.prog}})
		}
		ixs = func(blk, i int) ([]txn.Instruction, []ed25519.PrivateKey) {
			from := engineKey(2, i)
			return []txn.Instruction{computebudget.SetComputeUnitLimit(transferCULimit), {ProgramID: w.prog,
				Data: binary.LittleEndian.AppendUint64(nil, uint64(1+blk)),
				Accounts: []txn.AccountMeta{{Pubkey: txn.PubkeyOf(from), IsSigner: true, IsWritable: true},
					{Pubkey: txn.PubkeyOf(engineKey(3, i)), IsWritable: true}}}}, []ed25519.PrivateKey{from}
		}
	case "compute-100k":
		w.prog = pubkey.MustParse("Compute111111111111111111111111111111111111")
		if w.elf, err = ComputeProgram(); err != nil {
			return nil, err
		}
		ixs = func(blk, i int) ([]txn.Instruction, []ed25519.PrivateKey) {
			return []txn.Instruction{computebudget.SetComputeUnitLimit(110_000),
				{ProgramID: w.prog, Data: binary.LittleEndian.AppendUint64(nil, uint64(blk))}}, nil
		}
	case "spl-token-transfer":
		w.prog, w.elf = pubkey.Pubkey(SPLTokenProgramID), o.SPLToken
		var mint [32]byte
		mint[0] = 0x4d
		for i := range txs {
			// The payer owns both token accounts and signs the transfer.
			owner := txn.PubkeyOf(payer(i))
			w.genesis = append(w.genesis,
				bank.GenesisAccount{Key: txn.PubkeyOf(engineKey(2, i)), Account: account.Account{Lamports: 2_039_280, Owner: w.prog, Data: SPLTokenAccount(mint, owner, 1<<40)}},
				bank.GenesisAccount{Key: txn.PubkeyOf(engineKey(3, i)), Account: account.Account{Lamports: 2_039_280, Owner: w.prog, Data: SPLTokenAccount(mint, owner, 0)}})
		}
		ixs = func(blk, i int) ([]txn.Instruction, []ed25519.PrivateKey) {
			return []txn.Instruction{computebudget.SetComputeUnitLimit(20_000), {ProgramID: w.prog,
				Data: binary.LittleEndian.AppendUint64([]byte{3}, uint64(1+blk)), // Transfer { amount }
				Accounts: []txn.AccountMeta{{Pubkey: txn.PubkeyOf(engineKey(2, i)), IsWritable: true},
					{Pubkey: txn.PubkeyOf(engineKey(3, i)), IsWritable: true},
					{Pubkey: txn.PubkeyOf(payer(i)), IsSigner: true}}}}, nil
		}
	default:
		return nil, fmt.Errorf("bench: unknown engine workload %q (have %v)", name, ChainEngineWorkloads)
	}
	w.sign = func(blk int, hash txn.Hash) ([]*txn.Transaction, error) {
		out := make([]*txn.Transaction, txs)
		for i := range out {
			ix, signers := ixs(blk, i)
			m, err := txn.Compile(txn.PubkeyOf(payer(i)), ix, hash)
			if err != nil {
				return nil, err
			}
			if out[i], err = txn.Sign(m, append([]ed25519.PrivateKey{payer(i)}, signers...)...); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return w, nil
}

// engineRound is one round of a workload on one engine.
type engineRound struct {
	elapsed time.Duration // timed blocks only
	txs     int
	cu      uint64
	digest  [32]byte // of every block's header and transaction results
}

// round runs the workload on a fresh in-memory chain whose runtime
// prepares programs with engine: one untimed block, then blocks timed
// ones.
func (w *engineWorld) round(ctx context.Context, engine vm.Engine, blocks int) (engineRound, error) {
	var r engineRound
	st, b, err := memChain(w.genesis, w.prog, w.elf, engine, 1)
	if err != nil {
		return r, fmt.Errorf("bench: %s: %w", w.name, err)
	}
	defer st.Close()
	// The chain is deterministic, so every round (and engine) sees the
	// same blockhash: sign once, untimed. One hash stays recent for 150
	// blocks.
	if w.blocks == nil {
		hash := b.LatestBlockhash()
		for blk := range blocks + 1 {
			txs, err := w.sign(blk, hash)
			if err != nil {
				return r, err
			}
			w.blocks = append(w.blocks, txs)
		}
	}
	h := sha256.New()
	for blk, txs := range w.blocks {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		start := time.Now()
		res, err := b.ProcessBlock(txs, int64(3+blk))
		d := time.Since(start)
		if err != nil {
			return r, err
		}
		h.Write(res.Header.Hash[:])
		for _, t := range res.Txs {
			if t.Err != nil {
				return r, fmt.Errorf("bench: %s: transaction failed: %v %v", w.name, t.Err, t.Logs)
			}
			fmt.Fprintf(h, "%s|%d|%q|%x|%x\n", t.Signature, t.CU, t.Logs, t.ReturnProgram, t.ReturnData)
			if blk > 0 {
				r.cu += t.CU
				r.txs++
			}
		}
		if blk > 0 {
			r.elapsed += d
		}
	}
	h.Sum(r.digest[:0])
	return r, nil
}

// BenchChainEngines runs each workload through the bank (in-memory store,
// one lane) on the interpreter and on the JIT, alternating the engines
// round by round so that drift in the machine's load touches both alike,
// and reports the median wall time per transaction of each. Every round
// must give the same results and block hashes on both engines.
func BenchChainEngines(ctx context.Context, o ChainEngineOptions) ([]ChainEngineFigure, error) {
	if o.Blocks <= 0 || o.TxsPerBlock <= 0 || o.Blocks > 100 {
		return nil, fmt.Errorf("bench: need 1..100 blocks and a positive number of transactions per block")
	}
	o.Rounds = max(o.Rounds, 1)
	// The figure reports a fallback; the log would only repeat it.
	engines := []vm.Engine{vm.Interpreter{}, jit.Engine{Logger: slog.New(slog.DiscardHandler)}}
	var out []ChainEngineFigure
	for _, name := range ChainEngineWorkloads {
		fig := ChainEngineFigure{Workload: name, Rounds: o.Rounds}
		if name == "spl-token-transfer" && o.SPLToken == nil {
			fig.Skipped = o.SPLTokenMissing
			if fig.Skipped == "" {
				fig.Skipped = "no SPL Token ELF given"
			}
			out = append(out, fig)
			continue
		}
		w, err := newEngineWorld(name, o.TxsPerBlock, o)
		if err != nil {
			return nil, err
		}
		fig.JITCompiled, fig.JITFallback, err = jitCompiles(w.elf)
		if err != nil {
			return nil, fmt.Errorf("bench: %s: %w", name, err)
		}
		var perTx [2][]float64
		var want *engineRound
		for round := range o.Rounds {
			for k := range engines {
				e := (k + round) % 2 // alternate which engine goes first
				r, err := w.round(ctx, engines[e], o.Blocks)
				if err != nil {
					return nil, err
				}
				if want == nil {
					want = &r
				} else if r.digest != want.digest {
					return nil, fmt.Errorf("%w: workload %s, round %d, %s", ErrEnginesDiverge, name, round, []string{"interp", "jit"}[e])
				}
				perTx[e] = append(perTx[e], float64(r.elapsed.Nanoseconds())/1e3/float64(max(r.txs, 1)))
				fig.Transactions, fig.CUPerTx = r.txs, r.cu/uint64(max(r.txs, 1))
			}
		}
		fig.InterpUsPerTx, fig.JITUsPerTx = timing.Median(perTx[0]), timing.Median(perTx[1])
		fig.JITSpeedup = fig.InterpUsPerTx / fig.JITUsPerTx
		fig.Identical = true
		out = append(out, fig)
	}
	return out, nil
}

// jitCompiles reports whether the JIT compiles elfBytes as the runtime
// loads it, and if not, why.
func jitCompiles(elfBytes []byte) (bool, string, error) {
	ex, err := ext.NewExecutor()
	if err != nil {
		return false, "", err
	}
	ex.Engine = jit.Engine{Logger: slog.New(slog.DiscardHandler)}
	r, err := ex.Prepare(elfBytes, 32*1024)
	if err != nil {
		return false, "", err
	}
	jr, ok := r.(*jit.Runnable)
	if !ok {
		return false, fmt.Sprintf("prepared as %T", r), nil
	}
	if jr.Compiled() {
		return true, "", nil
	}
	return false, jr.Fallback().Error(), nil
}
