package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/internal/timing"
	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm/bank"
	"github.com/agora-vm/agora/vm"
)

// agaveWorkload is what conformance/agave/bench.mjs writes: the state
// before the workload, the transactions (as instructions and the seeds of
// their signers, compiled here against the bank's blockhashes) and
// LiteSVM's throughput on them.
type agaveWorkload struct {
	Name       string  `json:"name"`
	LiteSVMTPS float64 `json:"litesvm_tps"`
	// LiteSVMCPUTPS is transactions per CPU-second of the Node process
	// (0: not measured).
	LiteSVMCPUTPS float64          `json:"litesvm_cpu_tps"`
	Accounts      []conformAccount `json:"accounts"`
	Txs           []workloadTx     `json:"txs"`
	accounts      []account.Keyed
	payerKeys     []ed25519.PrivateKey
	signerKeys    [][]ed25519.PrivateKey
	instrs        [][]txn.Instruction
	payerPubkey   []pubkey.Pubkey
}

type workloadTx struct {
	Payer        string   `json:"payer"`
	Signers      []string `json:"signers"`
	Instructions []struct {
		ProgramID pubkey.Pubkey `json:"program_id"`
		Accounts  []struct {
			Pubkey   pubkey.Pubkey `json:"pubkey"`
			Signer   bool          `json:"signer"`
			Writable bool          `json:"writable"`
		} `json:"accounts"`
		Data string `json:"data"`
	} `json:"instructions"`
}

// benchStores returns the stores `bench agave` runs a workload on: the
// in-memory one, Pebble written behind (the block's write overlapping the
// next block's execution, each block synced in order; store.Options), and
// Pebble written in place (each commit returns once its block is synced,
// as the node writes).
func benchStores() []string { return []string{"memory", "pebble", "pebble-sync"} }

func newBenchAgaveCmd(s *streams) *cobra.Command {
	var path, profile, engineName string
	var lanes, perBlock, warmup int
	var stores []string
	cmd := &cobra.Command{
		Use:   "agave --workload FILE",
		Short: "Run a LiteSVM workload through Agora's bank, in memory and on Pebble, and print the ratio",
		Long: `Run the transactions of a workload written by conformance/agave/bench.mjs
(which timed them on LiteSVM: Agave's runtime, signature checks on, no
blocks, no store) through Agora's bank, block after block, on each store
of --stores, and print transactions per second and the ratio to
LiteSVM's. Signing is not timed on either side. Where the workload holds
LiteSVM's transactions per CPU-second (litesvm_cpu_tps), the same ratio by
CPU time follows (the whole process's, the garbage collector included):
on a loaded machine it moves far less than wall time does.

The stores: memory; pebble, written behind (a block's write and sync
overlap the next block's execution, blocks reach the disk in order, a
crash loses at most the block being written); pebble-sync, each commit
returning once its block is on disk.

Before the timed runs, the workload runs --warmup times on each store,
each time on a new chain, untimed: the process reaches the state it
keeps while it runs (its heap, Pebble's buffers), as bench.mjs's warm-up
round warms LiteSVM's.

  node conformance/agave/bench.mjs    # runs both sides`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if perBlock < 1 || perBlock > 100_000 {
				return usageErr("--txs-per-block: %d is outside 1..100000", perBlock)
			}
			if warmup < 0 || warmup > 100 {
				return usageErr("--warmup: %d is outside 0..100", warmup)
			}
			for _, kind := range stores {
				if !slices.Contains(benchStores(), kind) {
					return usageErr("--stores: unknown store %q (want %s)", kind, strings.Join(benchStores(), ", "))
				}
			}
			w, err := readWorkload(path)
			if err != nil {
				return usageErr("--workload: %w", err)
			}
			// Each run starts with an engine of its own: nothing compiled
			// carries over.
			run := func(kind string) (workloadFigure, error) {
				engine, err := newEngine(engineName, s.err, nil)
				if err != nil {
					return workloadFigure{}, err
				}
				f, err := runWorkload(w, kind, engine, lanes, perBlock)
				if err != nil {
					return workloadFigure{}, &exitError{code: exitBadCall, err: err}
				}
				return f, nil
			}
			for range warmup {
				for _, kind := range stores {
					if _, err := run(kind); err != nil {
						return err
					}
				}
			}
			stop, err := startCPUProfile(profile)
			if err != nil {
				return err
			}
			defer stop()
			for _, kind := range stores {
				f, err := run(kind)
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "%s: Agora bank (%s store, %d lane(s)) %d transactions (%d failed): %.0f tx/s, %.2fx LiteSVM",
					w.Name, kind, lanes, len(w.Txs), f.failed, f.tps, f.tps/w.LiteSVMTPS)
				if f.cpu > 0 && w.LiteSVMCPUTPS > 0 {
					cpuTPS := float64(len(w.Txs)) / f.cpu.Seconds()
					fmt.Fprintf(s.out, "; %.0f tx per CPU-second, %.2fx LiteSVM's", cpuTPS, cpuTPS/w.LiteSVMCPUTPS)
				}
				fmt.Fprintln(s.out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "workload", "", "the workload `FILE` (from conformance/agave/bench.mjs)")
	cmd.Flags().IntVar(&lanes, "lanes", 1, "scheduler lanes (1: serial)")
	cmd.Flags().StringVar(&engineName, "engine", "interp", "execution engine for BPF programs: interp, jit or auto (auto and jit compile inside the timed run; LiteSVM compiles at deployment)")
	cmd.Flags().StringVar(&profile, "cpuprofile", "", "write a CPU profile of Agora's timed runs to `FILE` (go tool pprof)")
	cmd.Flags().IntVar(&perBlock, "txs-per-block", 128, "transactions per block (each program instruction reserves 200,000 CU of the block's limit)")
	cmd.Flags().IntVar(&warmup, "warmup", 1, "untimed runs of the workload on each store, each on a new chain, before the timed ones")
	cmd.Flags().StringSliceVar(&stores, "stores", benchStores(), "the stores to run on, in order: "+strings.Join(benchStores(), ", "))
	return cmd
}

func readWorkload(path string) (*agaveWorkload, error) {
	b, err := readFileLimited(path)
	if err != nil {
		return nil, err
	}
	w := &agaveWorkload{}
	if err := json.Unmarshal(b, w); err != nil {
		return nil, err
	}
	for i, a := range w.Accounts {
		// The bank makes its own natives and sysvars.
		if a.Owner == pubkey.NativeLoader() || a.Owner == pubkey.SysvarOwner() || a.Lamports == 0 {
			continue
		}
		data, err := base64.StdEncoding.DecodeString(a.Data)
		if err != nil {
			return nil, fmt.Errorf("accounts[%d]: %w", i, err)
		}
		w.accounts = append(w.accounts, account.Keyed{Key: a.Pubkey, Account: account.Account{Lamports: uint64(a.Lamports), Owner: a.Owner, Executable: a.Executable, Data: data}})
	}
	seed := func(s string) (ed25519.PrivateKey, error) {
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != ed25519.SeedSize {
			return nil, fmt.Errorf("bad key seed %q", s)
		}
		return ed25519.NewKeyFromSeed(b), nil
	}
	for i, t := range w.Txs {
		p, err := seed(t.Payer)
		if err != nil {
			return nil, fmt.Errorf("txs[%d]: %w", i, err)
		}
		var signers []ed25519.PrivateKey
		for _, s := range t.Signers {
			k, err := seed(s)
			if err != nil {
				return nil, fmt.Errorf("txs[%d]: %w", i, err)
			}
			signers = append(signers, k)
		}
		var ixs []txn.Instruction
		for _, in := range t.Instructions {
			data, err := base64.StdEncoding.DecodeString(in.Data)
			if err != nil {
				return nil, fmt.Errorf("txs[%d]: %w", i, err)
			}
			ix := txn.Instruction{ProgramID: in.ProgramID, Data: data}
			for _, a := range in.Accounts {
				ix.Accounts = append(ix.Accounts, txn.AccountMeta{Pubkey: a.Pubkey, IsSigner: a.Signer, IsWritable: a.Writable})
			}
			ixs = append(ixs, ix)
		}
		w.payerKeys = append(w.payerKeys, p)
		w.payerPubkey = append(w.payerPubkey, txn.PubkeyOf(p))
		w.signerKeys = append(w.signerKeys, signers)
		w.instrs = append(w.instrs, ixs)
	}
	if w.LiteSVMTPS <= 0 {
		return nil, fmt.Errorf("no LiteSVM figure")
	}
	return w, nil
}

// workloadFigure is one run of a workload: transactions per second of
// block processing (signing excluded), the wall and CPU time (of the
// whole process, the garbage collector included) that took, and the
// failures.
type workloadFigure struct {
	tps          float64
	elapsed, cpu time.Duration
	failed       int
}

// runWorkload executes w on a fresh chain.
func runWorkload(w *agaveWorkload, kind string, engine vm.Engine, lanes, perBlock int) (workloadFigure, error) {
	var st *store.Store
	if kind == "memory" {
		st = store.NewMem()
	} else {
		dir, err := os.MkdirTemp("", "agora-bench-agave-")
		if err != nil {
			return workloadFigure{}, err
		}
		defer os.RemoveAll(dir)
		if st, err = store.OpenWith(dir, store.Options{WriteBehind: kind == "pebble"}); err != nil {
			return workloadFigure{}, err
		}
	}
	defer st.Close()
	ex, err := newExecutor()
	if err != nil {
		return workloadFigure{}, err
	}
	ex.Engine = engine
	if _, err := bank.Genesis(st, ex, 0, w.accounts); err != nil {
		return workloadFigure{}, err
	}
	b, err := bank.Open(st, ex)
	if err != nil {
		return workloadFigure{}, err
	}
	b.SetScheduler(sched.Config{Lanes: lanes})
	var elapsed, cpu time.Duration
	failed := 0
	var firstErr error
	// Blocks are signed untimed, up to 100 ahead (a blockhash stays
	// recent for 150 blocks), then executed; while one executes, the
	// next one's signatures are checked on the spare lanes (Precheck, as
	// a chain's sigverify stage runs ahead; nothing at one lane), inside
	// the timed span.
	const ahead = 100
	for first := 0; first < len(w.Txs); first += ahead * perBlock {
		bh := b.LatestBlockhash()
		var blocks [][]*txn.Transaction
		for start := first; start < min(first+ahead*perBlock, len(w.Txs)); start += perBlock {
			end := min(start+perBlock, len(w.Txs))
			txs := make([]*txn.Transaction, 0, end-start)
			for i := start; i < end; i++ {
				m, err := txn.Compile(w.payerPubkey[i], w.instrs[i], bh)
				if err != nil {
					return workloadFigure{}, fmt.Errorf("transaction %d: %w", i, err)
				}
				tx, err := txn.Sign(m, append([]ed25519.PrivateKey{w.payerKeys[i]}, w.signerKeys[i]...)...)
				if err != nil {
					return workloadFigure{}, fmt.Errorf("transaction %d: %w", i, err)
				}
				txs = append(txs, tx)
			}
			blocks = append(blocks, txs)
		}
		for j, txs := range blocks {
			t0, c0 := time.Now(), timing.ProcessCPU()
			if j+1 < len(blocks) {
				b.Precheck(blocks[j+1])
			}
			res, err := b.ProcessBlock(txs, int64(1+(first/perBlock)+j))
			elapsed += time.Since(t0)
			cpu += timing.ProcessCPU() - c0
			if err != nil {
				return workloadFigure{}, err
			}
			for _, r := range res.Txs {
				if r.Result == nil || r.Err != nil {
					failed++
					if firstErr == nil && r.Result != nil {
						firstErr = r.Err
					}
				}
			}
		}
	}
	// The last block written behind is part of the run.
	t0, c0 := time.Now(), timing.ProcessCPU()
	if err := st.Sync(); err != nil {
		return workloadFigure{}, err
	}
	elapsed += time.Since(t0)
	cpu += timing.ProcessCPU() - c0
	if firstErr != nil {
		return workloadFigure{}, fmt.Errorf("%s: %d transactions failed, the first with %v", w.Name, failed, firstErr)
	}
	return workloadFigure{tps: float64(len(w.Txs)) / elapsed.Seconds(), elapsed: elapsed, cpu: cpu, failed: failed}, nil
}

// startCPUProfile starts the Go CPU profile into path, for the commands'
// --cpuprofile; an empty path profiles nothing. stop ends the profile and
// closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, usageErr("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
