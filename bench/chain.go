package bench

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm/bank"
	"github.com/agora-vm/agora/vm"
)

// transferSource is the chain benchmark's program: it moves the u64 of
// instruction data in lamports from account 0 to account 1, both owned by
// the program and holding no data (so their input offsets are fixed), and
// fails with InsufficientFunds when the source holds too little.
const transferSource = `
    ldxdw r2, [r1+20688]     # amount: instruction data after two empty accounts
    ldxdw r3, [r1+80]        # account 0 lamports
    jgt r2, r3, fail
    sub64 r3, r2
    stxdw [r1+80], r3
    ldxdw r4, [r1+10416]     # account 1 lamports
    add64 r4, r2
    stxdw [r1+10416], r4
    mov64 r0, 0
    exit
fail:
    lddw r0, 0x600000000     # InsufficientFunds
    exit
`

// transferCULimit is the compute-unit limit the chain benchmark's
// transfers request.
const transferCULimit = 5_000

// TransferProgram returns the ELF of the benchmark's transfer program.
func TransferProgram() ([]byte, error) {
	return elf.Assemble(transferSource, sbpf.V0, nil, nil)
}

// ChainOptions configures BenchChain.
type ChainOptions struct {
	// Dir is where the Pebble store lives; empty uses the in-memory store.
	Dir string
	// Blocks and TxsPerBlock size the run.
	Blocks, TxsPerBlock int
	// Accounts is the number of (sender, receiver) pairs the transfers
	// rotate through.
	Accounts int
	// Engine prepares the programs; nil is the interpreter. EngineName
	// names it in the figure ("interp" when empty).
	Engine     vm.Engine
	EngineName string
}

// ChainFigure is the result of BenchChain.
type ChainFigure struct {
	Store        string  `json:"store"`
	Engine       string  `json:"engine"`
	Transactions int     `json:"transactions"`
	Blocks       int     `json:"blocks"`
	Seconds      float64 `json:"seconds"`
	TPS          float64 `json:"tps"`
	// Shares of the time: in the VM, in the store's commits, and the rest
	// (signature checks, fees, account loading, serialization, write-back).
	VMShare      float64 `json:"vm_share"`
	StoreShare   float64 `json:"store_share"`
	RuntimeShare float64 `json:"runtime_share"`
	CUPerTx      uint64  `json:"cu_per_tx"`
}

// BenchChain runs transfers of a deployed BPF program serially, block
// after block, on a fresh chain, and reports transactions per second and
// where the time went. Signing happens before the clock starts.
func BenchChain(ctx context.Context, o ChainOptions) (ChainFigure, error) {
	if o.Blocks <= 0 || o.TxsPerBlock <= 0 {
		return ChainFigure{}, fmt.Errorf("bench: need blocks and transactions per block")
	}
	if o.Accounts <= 0 {
		o.Accounts = 64
	}
	var st *store.Store
	fig := ChainFigure{Store: "memory", Engine: o.EngineName}
	if fig.Engine == "" {
		fig.Engine = "interp"
	}
	if o.Dir != "" {
		var err error
		if st, err = store.Open(o.Dir); err != nil {
			return fig, err
		}
		fig.Store = "pebble"
	} else {
		st = store.NewMem()
	}
	defer st.Close()
	elfBytes, err := TransferProgram()
	if err != nil {
		return fig, err
	}
	prog := pubkey.MustParse("Transfer11111111111111111111111111111111111")
	seed := func(i int, tag byte) ed25519.PrivateKey {
		var s [32]byte
		s[0], s[1] = tag, 7
		binary.LittleEndian.PutUint32(s[2:], uint32(i))
		return ed25519.NewKeyFromSeed(s[:])
	}
	payer := seed(0, 1)
	var genesis []bank.GenesisAccount
	genesis = append(genesis, bank.GenesisAccount{Key: txn.PubkeyOf(payer), Account: account.Account{Lamports: 1 << 60}})
	senders := make([]ed25519.PrivateKey, o.Accounts)
	receivers := make([]pubkey.Pubkey, o.Accounts)
	for i := range senders {
		senders[i] = seed(i, 2)
		receivers[i] = txn.PubkeyOf(seed(i, 3))
		genesis = append(genesis,
			bank.GenesisAccount{Key: txn.PubkeyOf(senders[i]), Account: account.Account{Lamports: 1 << 50, Owner: prog}},
			bank.GenesisAccount{Key: receivers[i], Account: account.Account{Lamports: 1 << 20, Owner: prog}})
	}
	ex, err := ext.NewExecutor()
	if err != nil {
		return fig, err
	}
	ex.Engine = o.Engine
	if _, err := bank.Genesis(st, ex, 1, genesis); err != nil {
		return fig, err
	}
	b, err := bank.Open(st, ex)
	if err != nil {
		return fig, err
	}
	if _, err := b.Deploy(prog, elfBytes, nil, 2); err != nil {
		return fig, err
	}
	b.Executor().MeasureVM = true
	// The figure is the serial chain's (agora bench sched measures lanes).
	b.SetScheduler(sched.Config{Lanes: 1})
	var total, vmTime, storeTime time.Duration
	var cu uint64
	n := 0
	for blk := 0; blk < o.Blocks; blk++ {
		if err := ctx.Err(); err != nil {
			return fig, err
		}
		hash := b.LatestBlockhash()
		txs := make([]*txn.Transaction, o.TxsPerBlock)
		for i := range txs {
			k := (blk*o.TxsPerBlock + i) % o.Accounts
			from := senders[k]
			data := binary.LittleEndian.AppendUint64(nil, uint64(1+blk*o.TxsPerBlock+i)) // distinct: no two transactions alike
			// Every transaction has the one payer, which Agave's cost
			// tracker limits to 12M CU a block: request what a transfer
			// takes, as clients do, rather than the 200,000 default.
			m, err := txn.Compile(txn.PubkeyOf(payer), []txn.Instruction{computebudget.SetComputeUnitLimit(transferCULimit), {ProgramID: prog, Data: data, Accounts: []txn.AccountMeta{
				{Pubkey: txn.PubkeyOf(from), IsSigner: true, IsWritable: true}, {Pubkey: receivers[k], IsWritable: true}}}}, hash)
			if err != nil {
				return fig, err
			}
			if txs[i], err = txn.Sign(m, payer, from); err != nil {
				return fig, err
			}
		}
		start := time.Now()
		res, err := b.ProcessBlock(txs, int64(3+blk))
		if err != nil {
			return fig, err
		}
		total += time.Since(start)
		storeTime += res.StoreTime
		for _, r := range res.Txs {
			if r.Err != nil {
				return fig, fmt.Errorf("bench: transaction failed: %v %v", r.Err, r.Logs)
			}
			vmTime += r.VMTime
			cu += r.CU
			n++
		}
	}
	fig.Transactions, fig.Blocks, fig.Seconds = n, o.Blocks, total.Seconds()
	fig.TPS = float64(n) / total.Seconds()
	fig.VMShare = vmTime.Seconds() / total.Seconds()
	fig.StoreShare = storeTime.Seconds() / total.Seconds()
	fig.RuntimeShare = 1 - fig.VMShare - fig.StoreShare
	fig.CUPerTx = cu / uint64(max(n, 1))
	return fig, nil
}
