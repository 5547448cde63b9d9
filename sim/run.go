package sim

import (
	"context"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/ovsm"
	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sigverify"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm/bank"
)

// Options are a run's settings beyond its scenario. Zero values take the
// scenario's.
type Options struct {
	Agents int
	Rounds int
	Seed   *uint64
	// Lanes is the number of parallel lanes blocks run on (1 is serial).
	Lanes int
	// StoreDir is the Pebble directory the chain lives in; empty means a
	// directory under the output folder.
	StoreDir string
	// InMemory keeps the chain in memory instead (for tests).
	InMemory bool
	// Progress, when set, receives a progress line as blocks complete.
	Progress io.Writer
	// SigVerify verifies the agents' signatures (the default in the CLI).
	SigVerify bool
	// History keeps every transaction's record (outcome, logs, balances)
	// in the ledger, as a chain serving getTransaction does; a run reads
	// none of it, and it is most of what a block writes.
	History bool
	// MeasureVM times the VM for the summary's time shares (it reads a
	// clock around every program run and changes no result).
	MeasureVM bool
}

// genesisTime is the simulated chain's first timestamp.
const genesisTime = 1_700_000_000

// run is one simulation's state.
type run struct {
	sc        *Scenario
	lanes     int
	sigverify bool
	chain     *bank.Bank
	st        *store.Store
	clock     slotClock
	agents    *keyring
	sellers   *keyring
	// keeper sends the scenario's own transactions (refunds, slashes).
	keeper *keyring
	// rings and vaults are the oracle scenario's accounts; truePrice its
	// price this round.
	rings, vaults []pubkey.Pubkey
	truePrice     uint64
	// strategyOf is each agent's strategy index.
	strategyOf []uint8
	programs   []pubkey.Pubkey
	progress   *progress
	rounds     []RoundStats
	supply     uint64 // lamports at genesis
	// known is every account a round can write so far, sorted: the
	// agents, the scenario's own accounts and the state accounts earlier
	// rounds created.
	known []pubkey.Pubkey
	// byKey lists the agents' indices in the order of their keys.
	byKey []int
	// lastBalances is what the last balances call read.
	lastBalances balanceSet
	// economy is the economy's total lamports after the last round.
	economy    uint64
	fees       uint64 // fees burned so far
	conserved  bool
	cu         [numPrimitives]uint64
	txs        int
	failedTxs  int
	droppedTxs int
	time       timeBook
	setupTime  time.Duration
	roundsTime time.Duration
}

// Run executes a scenario and returns its summary. ctx cancels it
// between blocks.
func Run(ctx context.Context, sc *Scenario, opts Options) (*Summary, error) {
	sc2 := *sc
	if opts.Agents > 0 {
		sc2.Agents = opts.Agents
	}
	if opts.Rounds > 0 {
		sc2.Rounds = opts.Rounds
	}
	if opts.Seed != nil {
		sc2.Seed = *opts.Seed
	}
	if err := sc2.validate(); err != nil {
		return nil, err
	}
	lanes := opts.Lanes
	if lanes <= 0 {
		lanes = runtime.GOMAXPROCS(0)
	}
	r := &run{sc: &sc2, lanes: lanes, sigverify: opts.SigVerify, conserved: true}
	r.progress = newProgress(opts.Progress)
	start := time.Now()
	if err := r.setup(opts); err != nil {
		return nil, err
	}
	defer r.st.Close()
	r.setupTime = time.Since(start)
	start = time.Now()
	for round := range sc2.Rounds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var err error
		switch sc2.Kind {
		case Market:
			err = r.marketRound(round)
		case Escrow:
			err = r.escrowRound(round)
		case Reputation:
			err = r.reputationRound(round)
		case Oracle:
			err = r.oracleRound(round)
		default:
			err = fmt.Errorf("sim: scenario %s is not implemented yet", sc2.Kind)
		}
		if err != nil {
			return nil, err
		}
	}
	r.roundsTime = time.Since(start)
	r.progress.done()
	return r.summary(), nil
}

// signerKeyBytes bounds the memory of the executor's cache of decoded
// signer keys: 512 MiB, the keys of about 350,000 agents (the heap it
// adds, with the collector's headroom, is about twice that).
const signerKeyBytes = 512 << 20

// setup opens the store, writes genesis with every agent funded and
// deploys the strategies.
func (r *run) setup(opts Options) error {
	sc := r.sc
	if opts.InMemory {
		r.st = store.NewMem()
	} else {
		dir := opts.StoreDir
		if dir == "" {
			return fmt.Errorf("sim: a store directory is needed")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		// The ledger is scratch: a run starts it afresh, so a block need not
		// reach the disk before the next one starts.
		st, err := store.OpenWith(dir, store.Options{NoSync: true})
		if err != nil {
			return err
		}
		r.st = st
	}
	ex, err := ext.NewExecutor()
	if err != nil {
		return err
	}
	r.progress.phase(fmt.Sprintf("deriving %d agent keys", sc.Agents))
	r.agents = newKeyring(sc.Seed, "agent", sc.Agents)
	r.strategyOf = assignStrategies(sc)
	for i := range sc.Strategies {
		r.programs = append(r.programs, keyFor(sc.Seed, "program", i).pub)
	}
	extra, err := r.scenarioAccounts()
	if err != nil {
		return err
	}
	gen := make([]bank.GenesisAccount, 0, sc.Agents+len(extra))
	for _, k := range r.agents.pub {
		gen = append(gen, bank.GenesisAccount{Key: k, Account: account.Account{Lamports: sc.Budget}})
	}
	gen = append(gen, extra...)
	// Every signer is funded at genesis: keep all their decoded keys, so
	// that each signature after an account's first skips the decoding.
	// Past signerKeyBytes the default stays: the agents sign in turn each
	// round, so a cache that holds only some of them (and empties when
	// full) would hardly ever find a key again.
	if len(gen) <= signerKeyBytes/sigverify.KeyBytes {
		ex.SetSignerKeys(len(gen))
	}
	r.progress.phase("genesis")
	if _, err := bank.Genesis(r.st, ex, genesisTime, gen); err != nil {
		return err
	}
	r.clock.ts = genesisTime
	ex.MeasureVM = opts.MeasureVM
	if r.chain, err = bank.Open(r.st, ex); err != nil {
		return err
	}
	r.chain.KeepHistory(opts.History)
	r.schedule(nil)
	for _, g := range gen {
		r.supply += g.Account.Lamports
	}
	for i, st := range sc.Strategies {
		elfBytes, err := loadProgram(sc.ProgramPath(st), st.Program)
		if err != nil {
			return fmt.Errorf("sim: strategy %q: %w", st.Name, err)
		}
		if _, err := r.chain.Deploy(r.programs[i], elfBytes, nil, r.clock.next()); err != nil {
			return fmt.Errorf("sim: deploying strategy %q: %w", st.Name, err)
		}
	}
	// Deployed programs are visible from the next slot.
	if err := emptyBlock(r.chain, &r.clock); err != nil {
		return err
	}
	return nil
}

// assignStrategies gives each agent a strategy: contiguous blocks sized
// by share, the remainder to the first strategies. In the oracle
// scenario the first agents are the publishers, shared among the
// publisher strategies, and the rest the traders.
func assignStrategies(sc *Scenario) []uint8 {
	if sc.Kind == Oracle {
		pubs := sc.Oracle.Publishers
		out := assignAmong(sc, pubs, RolePublisher)
		return append(out, assignAmong(sc, sc.Agents-pubs, RoleTrader)...)
	}
	return assignAmong(sc, sc.Agents, "")
}

// assignAmong shares n agents among the strategies of a role (any role
// when role is empty) by share.
func assignAmong(sc *Scenario, n int, role string) []uint8 {
	total := 0
	for _, s := range sc.Strategies {
		if role == "" || s.Role == role {
			total += s.Share
		}
	}
	counts := make([]int, len(sc.Strategies))
	left := n
	for i, s := range sc.Strategies {
		if role != "" && s.Role != role {
			continue
		}
		hi, lo := bits.Mul64(uint64(n), uint64(s.Share))
		q, _ := bits.Div64(hi, lo, uint64(total))
		counts[i] = int(q)
		left -= counts[i]
	}
	for i := 0; left > 0; i = (i + 1) % len(counts) {
		if sc.Strategies[i].Share > 0 && (role == "" || sc.Strategies[i].Role == role) {
			counts[i]++
			left--
		}
	}
	out := make([]uint8, 0, n)
	for i, c := range counts {
		for range c {
			out = append(out, uint8(i))
		}
	}
	return out
}

// loadProgram reads a strategy: OVSM source is compiled, an ELF shared
// object is taken as it is. The compiled program names its source (in
// its debug information and messages) as the scenario does, so that the
// deployed bytes, and the state commitment, do not depend on the folder
// the run starts from.
func loadProgram(path, name string) ([]byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	switch {
	case len(src) >= 4 && string(src[:4]) == "\x7fELF":
		return src, nil
	case strings.EqualFold(filepath.Ext(path), ".ovsm"):
		out, err := ovsm.Compile(src, filepath.ToSlash(name), ovsm.Options{})
		if err != nil {
			return nil, err
		}
		return out.ELF, nil
	}
	return nil, fmt.Errorf("%s is neither OVSM source (.ovsm) nor an sBPF ELF (build C with agora cc, assembly with agora asm -o FILE.so)", path)
}

// schedule makes the chain run blocks on the run's lanes, recording a
// lane trace when tr is set.
func (r *run) schedule(tr *sched.Trace) {
	r.chain.SetScheduler(sched.Config{Lanes: r.lanes, SkipSignatures: !r.sigverify, Trace: tr})
}

// laneBusy turns a round's lane trace into each lane's busy share of
// the round's wall time, in percent.
func laneBusy(tr *sched.Trace, lanes int, wall time.Duration) []float64 {
	busy := make([]time.Duration, lanes)
	tr.Each(func(s sched.Slice) {
		if s.Lane >= 0 && s.Lane < lanes {
			busy[s.Lane] += s.Dur
		}
	})
	out := make([]float64, lanes)
	if wall <= 0 {
		return out
	}
	for i, b := range busy {
		out[i] = min(100, 100*b.Seconds()/wall.Seconds())
	}
	return out
}
