package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/agora-vm/agora/sched"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/feature"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
	"github.com/agora-vm/agora/vm"
	"github.com/agora-vm/agora/vm/jit"
)

// ledgerDir is the store of a chain directory.
const ledgerDir = "ledger"

// genesisLamports is the payer's balance at genesis: 500 SOL.
const genesisLamports = 500_000_000_000

func newChainCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "chain",
		Short: "Run a local chain: accounts, programs and transactions",
		Long: `A local chain in a directory: a Pebble store of the accounts and blocks
(DIR/ledger) and a keystore of named keypairs (DIR/keys/NAME.json, the
Solana CLI's format). Every command that changes state commits one block, and every
transaction's outcome, logs, costs and balances stay in the chain's
history ('agora chain tx', 'agora chain logs').
Blocks execute through the scheduler: signatures are checked on every
lane, Agave's cost limits apply (50M CU per block, 12M per writable
account), and transactions that touch no common writable account run in
parallel on --lanes N (default: the number of cores; 1 is serial). The
result never depends on N. --trace-lanes FILE.json writes the lanes'
timeline (Chrome trace events, which Perfetto opens).

Keys are given as a keystore name, a base58 address, or one of the aliases
system, compute-budget, rent, clock, epoch-schedule, econ. Sysvars and
native programs live at their Solana addresses (Agora's economics program,
driven by 'agora econ', at Econ111111111111111111111111111111111111111).

Exit codes: 0 success, 1 the transaction failed, 2 usage or setup errors.`,
	}
	cmd.AddCommand(newChainInitCmd(s), newChainKeygenCmd(s), newChainDeployCmd(s),
		newChainCallCmd(s), newChainAccountCmd(s), newChainTransferCmd(s), newChainBlockCmd(s),
		newChainTxCmd(s), newChainLogsCmd(s), newChainUpgradeCmd(s), newChainRollbackCmd(s))
	return cmd
}

type chainFlags struct {
	dir  string
	json bool
	// The scheduler (commands that execute transactions).
	lanes      int
	traceLanes string
	trace      *sched.Trace
	engine     string
	// The verified tier (--engine verified): the sampled fraction and the
	// seed of the sample, and, once schedule has run, its configuration.
	verifySample float64
	verifySeed   uint64
	verify       *bank.VerifyConfig
	// signOnly prints the signed transaction instead of executing it.
	signOnly bool
	// features are the Agave feature gates blocks execute under.
	features   string
	featureSet feature.Set
	// rec are --record, --profile and --record-source.
	rec chainRecordFlags
}

func (f *chainFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dir, "dir", "", "chain directory (required)")
	cmd.Flags().BoolVar(&f.json, "json", false, "print JSON")
}

func (f *chainFlags) check() error {
	if f.dir == "" {
		return usageErr("--dir is required")
	}
	if f.lanes < 0 || f.lanes > 1024 {
		return usageErr("--lanes: %d is outside 1..1024", f.lanes)
	}
	if _, err := feature.Parse(f.features); err != nil {
		return usageErr("--features: %w", err)
	}
	return nil
}

// addLanes adds the scheduler's flags to a command that executes
// transactions.
func (f *chainFlags) addLanes(cmd *cobra.Command) {
	cmd.Flags().IntVar(&f.lanes, "lanes", runtime.NumCPU(), "execute the block on N lanes (1: serial); the result is the same at every N")
	cmd.Flags().StringVar(&f.traceLanes, "trace-lanes", "", "write the block's lane timeline to FILE.json (Chrome trace events; Perfetto opens it)")
	cmd.Flags().StringVar(&f.features, "features", "mainnet", "Agave feature gates the block executes under: all, mainnet, or a comma-separated `LIST`")
	cmd.Flags().StringVar(&f.engine, "engine", "auto", "execution engine for BPF programs: "+engineNames+" (results are identical)")
	cmd.Flags().Float64Var(&f.verifySample, "verify-sample", 0.01, "with --engine verified, the fraction of transactions executed a second time on the interpreter, beside the block, before it commits")
	cmd.Flags().Uint64Var(&f.verifySeed, "verify-seed", 0, "with --engine verified, the seed of the sample (a transaction is sampled by a hash of the seed and its signature)")
}

// addTx adds the flags of a command that builds one transaction.
func (f *chainFlags) addTx(cmd *cobra.Command) {
	f.addLanes(cmd)
	cmd.Flags().BoolVar(&f.signOnly, "sign-only", false, "print the signed transaction (base64 wire format, for a block file) instead of executing it")
	f.rec.add(cmd)
}

// schedule configures the bank's scheduler and engine from the flags.
func (f *chainFlags) schedule(s *streams, b *bank.Bank) error {
	var engine vm.Engine
	if f.engine == "verified" {
		if err := checkSample(f.verifySample); err != nil {
			return err
		}
		log := slog.New(slog.NewTextHandler(s.err, nil))
		q := &jit.Quarantine{Compiler: jit.Engine{Logger: log}}
		ids, err := readQuarantine(f.dir)
		if err != nil {
			return err
		}
		q.Quarantine(ids...)
		engine = q
		f.verify = &bank.VerifyConfig{Engine: q, Threshold: bank.SampleThreshold(f.verifySample), Seed: f.verifySeed,
			OnDivergence: func(d bank.Divergence) {
				logDivergence(log, d)
				if err := appendQuarantine(f.dir, d.Quarantined); err != nil {
					log.Error("jit: the quarantine is not saved", "err", err)
				}
			}}
	} else {
		var err error
		if engine, err = newEngine(f.engine, s.err, nil); err != nil {
			return err
		}
	}
	b.Executor().Engine = engine
	cfg := sched.Config{Lanes: f.lanes}
	if f.traceLanes != "" {
		f.trace = sched.NewTrace()
		cfg.Trace = f.trace
	}
	b.SetScheduler(cfg)
	// check has refused a bad list; the bank keeps mainnet's otherwise.
	if set, err := feature.Parse(f.features); err == nil {
		b.SetFeatures(set)
	}
	return nil
}

// process executes and commits txs as the next block, through the
// verified tier when --engine verified.
func (f *chainFlags) process(ctx context.Context, b *bank.Bank, txs []*txn.Transaction) (*bank.BlockResult, error) {
	if f.verify == nil {
		return b.ProcessBlockContext(ctx, txs, blockTime(b))
	}
	res, _, err := b.ProcessBlockVerified(ctx, txs, blockTime(b), *f.verify)
	return res, err
}

// logDivergence reports a divergence of the verified tier with both
// results.
func logDivergence(log *slog.Logger, d bank.Divergence) {
	keys := make([]string, len(d.Quarantined))
	for i, k := range d.Quarantined {
		keys[i] = k.String()
	}
	log.Warn("jit: divergence; the transaction's programs are quarantined to the interpreter and the interpreter's block is committed",
		"slot", d.Slot, "tx", d.Index, "signature", d.Signature.String(),
		"jit", describeTx(d.JIT), "interp", describeTx(d.Interp), "quarantined", keys)
}

// quarantineFile lists, one base58 id a line, the ids the verified tier
// sent to the interpreter in a chain's directory, so that a quarantine
// outlives the command that found the divergence.
const quarantineFile = "quarantine"

// readQuarantine returns the ids quarantined in the chain at dir; none
// when it has no quarantine file.
func readQuarantine(dir string) ([][32]byte, error) {
	path := filepath.Join(dir, quarantineFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids [][32]byte
	for n, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		k, err := pubkey.Parse(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n+1, err)
		}
		ids = append(ids, k)
	}
	return ids, nil
}

// appendQuarantine adds keys to the chain's quarantine file.
func appendQuarantine(dir string, keys []pubkey.Pubkey) error {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k.String() + "\n")
	}
	f, err := os.OpenFile(filepath.Join(dir, quarantineFile), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func describeTx(r *svm.Result) string {
	status := "ok"
	if r.Err != nil {
		status = r.Err.Error()
	}
	return fmt.Sprintf("%s, cu %d, fee %d, %d writes, logs %q", status, r.CU, r.Fee, len(r.Writes), r.Logs)
}

// writeTrace writes the lane timeline, if asked for.
func (f *chainFlags) writeTrace() error {
	if f.trace == nil {
		return nil
	}
	var buf bytes.Buffer
	if err := f.trace.WriteJSON(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(f.traceLanes, buf.Bytes(), 0o644); err != nil {
		return usageErr("--trace-lanes: %v", err)
	}
	return nil
}

// openChain opens the store and bank of an initialized directory.
func openChain(dir string) (*store.Store, *bank.Bank, error) {
	ledger := filepath.Join(dir, ledgerDir)
	if _, err := os.Stat(ledger); err != nil {
		return nil, nil, usageErr("%s is not a chain directory (run agora chain init --dir %s)", dir, dir)
	}
	st, err := openLedger(ledger, lockWait)
	if err != nil {
		return nil, nil, err
	}
	ex, err := newExecutor()
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	b, err := bank.Open(st, ex)
	if err != nil {
		st.Close()
		return nil, nil, &exitError{code: exitBadCall, err: err}
	}
	return st, b, nil
}

// blockTime is the timestamp of the next block: the wall clock, never
// before the last block's.
func blockTime(b *bank.Bank) int64 { return max(time.Now().Unix(), b.Head().Timestamp) }

func newChainInitCmd(s *streams) *cobra.Command {
	f := &chainFlags{}
	cmd := &cobra.Command{
		Use:   "init --dir DIR",
		Short: "Create a chain: genesis, sysvars, native programs and a funded keypair \"payer\"",
		Long: `Create a chain in DIR: the genesis block holds the native programs (System,
Compute Budget, the BPF loaders, Agora's economics program), the sysvars and
a keypair named "payer" funded with 500 SOL.

Prints {"payer":"<base58>"} with --json.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			if _, err := os.Stat(filepath.Join(f.dir, ledgerDir)); err == nil {
				return usageErr("%s already holds a chain", f.dir)
			}
			if err := os.MkdirAll(f.dir, 0o755); err != nil {
				return usageErr("%v", err)
			}
			payer, ok, err := readKey(f.dir, "payer")
			if err != nil {
				return usageErr("%v", err)
			}
			if !ok {
				if payer, err = newKeypair(); err != nil {
					return err
				}
				if err := writeKey(f.dir, "payer", payer); err != nil {
					return err
				}
			}
			st, err := openLedger(filepath.Join(f.dir, ledgerDir), lockWait)
			if err != nil {
				return err
			}
			defer st.Close()
			ex, err := newExecutor()
			if err != nil {
				return err
			}
			if _, err := bank.Genesis(st, ex, time.Now().Unix(), []bank.GenesisAccount{{Key: txn.PubkeyOf(payer), Account: account.Account{Lamports: genesisLamports}}}); err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			p := txn.PubkeyOf(payer).String()
			if f.json {
				return writeJSON(s, map[string]string{"payer": p})
			}
			fmt.Fprintf(s.out, "chain created in %s\npayer: %s (%d lamports)\n", f.dir, p, genesisLamports)
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

func newChainKeygenCmd(s *streams) *cobra.Command {
	f := &chainFlags{}
	cmd := &cobra.Command{
		Use:   "keygen --dir DIR NAME",
		Short: "Create a named keypair in the chain's keystore",
		Long:  `Create a keypair named NAME in DIR/keys. Prints {"pubkey":"<base58>"} with --json.`,
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			if err := validKeyName(args[0]); err != nil {
				return err
			}
			k, err := newKeypair()
			if err != nil {
				return err
			}
			if err := writeKey(f.dir, args[0], k); err != nil {
				return err
			}
			p := txn.PubkeyOf(k).String()
			if f.json {
				return writeJSON(s, map[string]string{"pubkey": p})
			}
			fmt.Fprintln(s.out, p)
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

func newChainDeployCmd(s *streams) *cobra.Command {
	f := &chainFlags{}
	var programID, authority string
	cmd := &cobra.Command{
		Use:   "deploy --dir DIR PROGRAM.so",
		Short: "Deploy an sBPF ELF as a program in a new block",
		Long: `Deploy PROGRAM.so after it passes the loader (as Agave deploys: broken
ELFs rejected) and the verifier. The program is held by the upgradeable
loader with an upgrade authority (the payer unless --upgrade-authority
names another key) and runs from the next block on. --program-id places it
at a chosen address, as solana-test-validator's --bpf-program does, so
programs that expect their mainnet address work; deploying again to the
same address upgrades it.

Prints {"program_id":"<base58>"} with --json.

A deployment runs no program: --record and --profile (see call) write
nothing, and a note on stderr says so. Record a later agora chain call.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			elfBytes, err := readELFFile(args[0])
			if err != nil {
				return err
			}
			st, b, err := openChain(f.dir)
			if err != nil {
				return err
			}
			defer st.Close()
			var id pubkey.Pubkey
			if programID != "" {
				if id, _, err = resolveKey(f.dir, programID); err != nil {
					return err
				}
			} else {
				k, err := newKeypair()
				if err != nil {
					return err
				}
				id = txn.PubkeyOf(k)
			}
			auth, _, err := resolveKey(f.dir, authority)
			if err != nil {
				return err
			}
			rec, err := f.rec.start(b)
			if err != nil {
				return err
			}
			h, err := b.Deploy(id, elfBytes, &auth, blockTime(b))
			if err != nil {
				return &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", args[0], err)}
			}
			// A deployment writes the loader's accounts and runs no
			// program: finish says there is nothing to record.
			if err := f.rec.finish(s, rec, "a deployment runs no program (record a later agora chain call)"); err != nil {
				return err
			}
			if f.json {
				return writeJSON(s, map[string]any{"program_id": id.String(), "slot": h.Height})
			}
			fmt.Fprintf(s.out, "program %s deployed in block %d\n", id, h.Height)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&programID, "program-id", "", "address to deploy at (base58 or key name; default: a new address)")
	cmd.Flags().StringVar(&authority, "upgrade-authority", "payer", "upgrade authority (key name or base58)")
	f.rec.add(cmd)
	return cmd
}

// txReport is the JSON contract of call and transfer.
type txReport struct {
	OK        bool     `json:"ok"`
	Error     *string  `json:"error"`
	Logs      []string `json:"logs"`
	CU        uint64   `json:"cu"`
	Signature string   `json:"signature"`
	Slot      uint64   `json:"slot"`
	Fee       uint64   `json:"fee"`
	Message   string   `json:"message,omitempty"`
	Return    *string  `json:"return_data_base64,omitempty"`
}

// submit signs and runs one transaction in a new block and reports it.
func submit(s *streams, f *chainFlags, b *bank.Bank, feePayer string, ixs []txn.Instruction, signers []ed25519.PrivateKey) error {
	payerKey, payerPriv, err := resolveKey(f.dir, feePayer)
	if err != nil {
		return err
	}
	if payerPriv == nil {
		return usageErr("fee payer %q has no keypair in %s", feePayer, filepath.Join(f.dir, keysDir))
	}
	m, err := txn.Compile(payerKey, ixs, b.LatestBlockhash())
	if err != nil {
		return usageErr("%v", err)
	}
	all := append([]ed25519.PrivateKey{payerPriv}, signers...)
	tx, err := txn.Sign(m, all...)
	if err != nil {
		return usageErr("%v", err)
	}
	if n := len(tx.Encode()); n > txn.PacketDataSize {
		return usageErr("transaction of %d bytes exceeds %d", n, txn.PacketDataSize)
	}
	if f.signOnly && (f.rec.enabled() || f.rec.source != "") {
		return usageErr("--record, --profile and --record-source need the transaction executed, not --sign-only")
	}
	if f.signOnly {
		raw := base64.StdEncoding.EncodeToString(tx.Encode())
		if f.json {
			return writeJSON(s, map[string]string{"transaction": raw, "signature": tx.ID().String()})
		}
		fmt.Fprintln(s.out, raw)
		return nil
	}
	if err := f.schedule(s, b); err != nil {
		return err
	}
	rec, err := f.rec.start(b)
	if err != nil {
		return err
	}
	res, err := f.process(context.Background(), b, []*txn.Transaction{tx})
	if err != nil {
		return &exitError{code: exitBadCall, err: err}
	}
	if err := f.writeTrace(); err != nil {
		return err
	}
	if err := f.rec.finish(s, rec, ""); err != nil {
		return err
	}
	r := res.Txs[0]
	rep := txReport{OK: r.Err == nil, Logs: r.Logs, CU: r.CU, Signature: r.Signature.String(), Slot: res.Header.Height, Fee: r.Fee}
	if rep.Logs == nil {
		rep.Logs = []string{}
	}
	if r.Err != nil {
		e := r.Err.String()
		rep.Error, rep.Message = &e, r.Err.Error()
	}
	if len(r.ReturnData) > 0 {
		d := base64.StdEncoding.EncodeToString(r.ReturnData)
		rep.Return = &d
	}
	if f.json {
		if err := writeJSON(s, rep); err != nil {
			return err
		}
	} else {
		for _, l := range rep.Logs {
			fmt.Fprintln(s.out, l)
		}
		fmt.Fprintf(s.out, "signature: %s (block %d)\ncompute units: %d\nfee: %d\n", rep.Signature, rep.Slot, rep.CU, rep.Fee)
		if r.Err != nil {
			fmt.Fprintf(s.out, "error: %s: %s\n", *rep.Error, rep.Message)
		} else {
			fmt.Fprintln(s.out, "ok")
		}
	}
	if r.Err != nil {
		return &exitError{code: exitFault, err: errors.New("")}
	}
	return nil
}

func newChainCallCmd(s *streams) *cobra.Command {
	f := &chainFlags{}
	var accounts, signerNames []string
	var dataHex, dataJSON, feePayer string
	var cuLimit uint32
	cmd := &cobra.Command{
		Use:   "call --dir DIR PROGRAM_ID --account KEY[:s][:w] ... --data HEX",
		Short: "Build, sign and execute one instruction in a new block",
		Long: `Build one transaction calling PROGRAM_ID (an address, a key name, or
"system") with the accounts in order (KEY[:s][:w]: :s signs, :w writable)
and the instruction data, sign it with the fee payer ("payer" unless
--fee-payer says otherwise), every :s account the keystore holds and each
--signer, execute it in a new block and print the logs as Solana prints
them, the compute units and the error if any.

PROGRAM_ID@VERSION pins the version of an upgradeable program (the slot
its active code was deployed or staged in; 'agora chain account' lists
them): when another version is active the call is not sent and the
command exits 1.

--json prints {"ok":…,"error":…,"logs":[…],"cu":…,"signature":…,"slot":…,"fee":…};
error is Solana's error text, e.g. "InstructionError(0, Custom(1))", or null.

--record FILE.trace records the transaction's first top-level BPF program
run (the first sBPF program the runtime starts; native instructions such
as Compute Budget's are skipped, and its CPIs are not recorded
separately) for agora replay and agora debug, and --profile FILE.pb.gz
writes that run's CU profile (pprof); --record-source FILE.so names the
file the program was deployed from, for its source lines. A transaction
that runs no BPF program writes no file and says so on stderr.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			st, b, err := openChain(f.dir)
			if err != nil {
				return err
			}
			defer st.Close()
			name, pin, pinned := strings.Cut(args[0], "@")
			program, _, err := resolveKey(f.dir, name)
			if err != nil {
				return err
			}
			if pinned {
				if err := checkPinnedVersion(b, program, pin); err != nil {
					return err
				}
			}
			data, err := parseHex(dataHex)
			if err != nil {
				return usageErr("--data: %v", err)
			}
			if dataJSON != "" {
				if dataHex != "" {
					return usageErr("--data and --data-json are mutually exclusive")
				}
				if data, err = encodeDataJSON(dataJSON); err != nil {
					return err
				}
			}
			ix := txn.Instruction{ProgramID: program, Data: data}
			var signers []ed25519.PrivateKey
			for _, n := range signerNames {
				k, ok, err := readKey(f.dir, n)
				if err != nil {
					return usageErr("%v", err)
				}
				if !ok {
					return usageErr("--signer %q: no such key in %s", n, filepath.Join(f.dir, keysDir))
				}
				signers = append(signers, k)
			}
			for _, text := range accounts {
				a, err := parseAccountArg(f.dir, text)
				if err != nil {
					return err
				}
				if a.signer {
					k := a.priv
					if k == nil {
						k, _, _ = keyByPubkey(f.dir, a.key)
					}
					if k == nil {
						found := false
						for _, sk := range signers {
							found = found || txn.PubkeyOf(sk) == a.key
						}
						if !found {
							return usageErr("--account %q must sign but the keystore has no keypair for it", text)
						}
					} else {
						signers = append(signers, k)
					}
				}
				ix.Accounts = append(ix.Accounts, txn.AccountMeta{Pubkey: a.key, IsSigner: a.signer, IsWritable: a.writable})
			}
			var ixs []txn.Instruction
			if cuLimit > 0 {
				ixs = append(ixs, txn.Instruction{ProgramID: pubkey.ComputeBudgetProgram(), Data: append([]byte{2}, byte(cuLimit), byte(cuLimit>>8), byte(cuLimit>>16), byte(cuLimit>>24))})
			}
			ixs = append(ixs, ix)
			return submit(s, f, b, feePayer, ixs, dedupe(signers))
		},
	}
	f.add(cmd)
	f.addTx(cmd)
	cmd.Flags().StringArrayVar(&accounts, "account", nil, "an account of the instruction, KEY[:s][:w] (repeatable, in order)")
	cmd.Flags().StringVar(&dataHex, "data", "", "instruction data as hex")
	cmd.Flags().StringVar(&dataJSON, "data-json", "", "instruction data as a JSON object, in OVSM's structured encoding (@FILE reads it from a file)")
	cmd.Flags().StringArrayVar(&signerNames, "signer", nil, "an extra signing key name (repeatable)")
	cmd.Flags().StringVar(&feePayer, "fee-payer", "payer", "key name of the fee payer")
	cmd.Flags().Uint32Var(&cuLimit, "compute-unit-limit", 0, "add SetComputeUnitLimit with this limit")
	return cmd
}

func dedupe(ks []ed25519.PrivateKey) []ed25519.PrivateKey {
	var out []ed25519.PrivateKey
	seen := map[pubkey.Pubkey]bool{}
	for _, k := range ks {
		if p := txn.PubkeyOf(k); !seen[p] {
			seen[p] = true
			out = append(out, k)
		}
	}
	return out
}

func newChainTransferCmd(s *streams) *cobra.Command {
	f := &chainFlags{}
	var feePayer, from string
	cmd := &cobra.Command{
		Use:   "transfer --dir DIR TO LAMPORTS",
		Short: "Transfer lamports with the System program in a new block",
		Long: `Transfer LAMPORTS to TO (a key name or address) from the fee payer (or
--from NAME). Output as for call.

A transfer runs only the native System program, so --record and
--profile (see call) write nothing: the transfer is made, and a note on
stderr says that no BPF program ran.`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			lamports, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil {
				return usageErr("LAMPORTS: %q is not an unsigned integer", args[1])
			}
			st, b, err := openChain(f.dir)
			if err != nil {
				return err
			}
			defer st.Close()
			to, _, err := resolveKey(f.dir, args[0])
			if err != nil {
				return err
			}
			if from == "" {
				from = feePayer
			}
			fromKey, fromPriv, err := resolveKey(f.dir, from)
			if err != nil {
				return err
			}
			if fromPriv == nil {
				return usageErr("--from %q has no keypair", from)
			}
			return submit(s, f, b, feePayer, []txn.Instruction{system.Transfer(fromKey, to, lamports)}, []ed25519.PrivateKey{fromPriv})
		},
	}
	f.add(cmd)
	f.addTx(cmd)
	cmd.Flags().StringVar(&feePayer, "fee-payer", "payer", "key name of the fee payer")
	cmd.Flags().StringVar(&from, "from", "", "key name of the sender (default: the fee payer)")
	return cmd
}

// accountJSON is the JSON contract of chain account.
type accountJSON struct {
	Pubkey     string `json:"pubkey"`
	Lamports   uint64 `json:"lamports"`
	Owner      string `json:"owner"`
	Executable bool   `json:"executable"`
	DataBase64 string `json:"data_base64"`
	// Versions lists an upgradeable program's recorded versions (see
	// agora chain upgrade), oldest first.
	Versions []versionJSON `json:"versions,omitempty"`
}

func newChainAccountCmd(s *streams) *cobra.Command {
	f := &chainFlags{}
	cmd := &cobra.Command{
		Use:   "account --dir DIR KEY",
		Short: "Print an account",
		Long: `Print the account at KEY (a key name or address) as of the last block. A
missing account prints as Solana reads it: no lamports, owned by the System
program, no data.

An upgradeable program with recorded versions ('agora chain upgrade')
also lists each version: its number (the slot it was deployed or staged
in), its sha256 and size, and which one is active.

--json prints {"pubkey","lamports","owner","executable","data_base64"},
with "versions":[{"version","sha256","bytes","active"},…] for such a
program.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			st, b, err := openChain(f.dir)
			if err != nil {
				return err
			}
			defer st.Close()
			k, _, err := resolveKey(f.dir, args[0])
			if err != nil {
				return err
			}
			a, err := b.Account(k)
			if err != nil {
				return &exitError{code: exitBadCall, err: err}
			}
			rep := accountJSON{Pubkey: k.String(), Lamports: a.Lamports, Owner: a.Owner.String(), Executable: a.Executable, DataBase64: base64.StdEncoding.EncodeToString(a.Data)}
			if a.Executable {
				rep.Versions = programVersions(b, k)
			}
			if f.json {
				return writeJSON(s, rep)
			}
			fmt.Fprintf(s.out, "pubkey:     %s\nlamports:   %d\nowner:      %s\nexecutable: %v\ndata:       %d bytes\n", rep.Pubkey, rep.Lamports, rep.Owner, rep.Executable, len(a.Data))
			for _, v := range rep.Versions {
				state := ""
				if v.Active {
					state = " (active)"
				} else if v.Staged {
					state = " (staged)"
				}
				fmt.Fprintf(s.out, "version %d: sha256 %s, %d bytes%s\n", v.Version, v.SHA256, v.Bytes, state)
			}
			if len(a.Data) > 0 && len(a.Data) <= 4096 {
				fmt.Fprintf(s.out, "%x\n", a.Data)
			}
			return nil
		},
	}
	f.add(cmd)
	return cmd
}
