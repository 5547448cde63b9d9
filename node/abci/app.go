package abci

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
)

// Result codes of CheckTx and of FinalizeBlock's per-transaction results.
const (
	// CodeOK is a transaction that executed successfully (or, in CheckTx,
	// one the mempool may keep).
	CodeOK uint32 = 0
	// CodeBadEncoding is bytes that are not a Solana wire transaction.
	CodeBadEncoding uint32 = 1
	// CodeRejected is a transaction refused before its fee was charged:
	// sanitization, signatures, blockhash, duplicate, fee payer, or the
	// block's cost limits. It changed nothing. The log is Agave's error.
	CodeRejected uint32 = 2
	// CodeFailed is a transaction that was charged its fee but whose
	// instructions failed. The log is Agave's error.
	CodeFailed uint32 = 3
)

// Codespace names Agora's result codes in CometBFT's results.
const Codespace = "agora"

// Config configures an App.
type Config struct {
	// Ledger is the directory of the Pebble store (a chain directory's
	// "ledger"); it is created if missing.
	Ledger string
	// Lanes is how many workers execute a block (0: one per core). The
	// results do not depend on it.
	Lanes int
	// Limits are the block's cost limits (the zero value: Agave's). Every
	// validator of a network must use the same.
	Limits sched.Limits
	// Executor executes transactions (nil: package ext's composition,
	// Agora's runtime). Every validator must run the same programs.
	Executor *svm.Executor
}

// App is Agora's ABCI++ application. CometBFT calls it on one connection
// at a time (proxy.NewLocalClientCreator serializes them); its own lock
// makes it safe for other callers too.
type App struct {
	abcitypes.BaseApplication

	mu      sync.Mutex
	st      *store.Store
	ex      *svm.Executor
	bank    *bank.Bank // nil until the genesis block exists
	cfg     Config
	pending *bank.PendingBlock
	// pendingTxs are the decoded transactions of pending, in its order.
	pendingTxs []*txn.Transaction
	onCommit   func(*bank.BlockResult, []*txn.Transaction)
}

// OnCommit sets a function called after each block is committed, with the
// block's results and its transactions (txs[i] is the one of res.Txs[i]),
// outside the application's lock: an RPC server's subscriptions and
// metrics follow the chain with it.
func (a *App) OnCommit(f func(res *bank.BlockResult, txs []*txn.Transaction)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.onCommit = f
}

var _ abcitypes.Application = (*App)(nil)

// Open opens the application over the store in cfg.Ledger, executing with
// Agora's executor (package ext).
func Open(cfg Config) (*App, error) {
	st, err := store.Open(cfg.Ledger)
	if err != nil {
		return nil, err
	}
	a, err := newApp(st, cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// newApp returns the application over an open store.
func newApp(st *store.Store, cfg Config) (*App, error) {
	ex := cfg.Executor
	if ex == nil {
		var err error
		if ex, err = ext.NewExecutor(); err != nil {
			return nil, err
		}
	}
	a := &App{st: st, ex: ex, cfg: cfg}
	if _, ok := st.Head(); ok {
		if err := a.openBank(); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (a *App) openBank() error {
	b, err := bank.Open(a.st, a.ex)
	if err != nil {
		return err
	}
	b.SetScheduler(sched.Config{Lanes: a.cfg.Lanes, Limits: a.cfg.Limits})
	a.bank = b
	return nil
}

// Close closes the store.
func (a *App) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.st.Close()
}

// Bank returns the chain, nil before InitChain wrote its genesis block.
// Reads are safe at any time; blocks come only from CometBFT.
func (a *App) Bank() *bank.Bank {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.bank
}

// Store returns the ledger.
func (a *App) Store() *store.Store { return a.st }

// errNoGenesis is a consensus call before InitChain.
var errNoGenesis = errors.New("abci: the ledger holds no genesis block: InitChain has not run")

// Info reports the last committed block and its state commitment, from
// which CometBFT's handshake replays the blocks the application lacks.
func (a *App) Info(_ context.Context, _ *abcitypes.InfoRequest) (*abcitypes.InfoResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	res := &abcitypes.InfoResponse{Data: "agora", Version: "1"}
	if h, ok := a.st.Head(); ok {
		res.LastBlockHeight = int64(h.Height)
		res.LastBlockAppHash = appHash(h)
	}
	return res, nil
}

// appHash is the application hash of a committed header: the state
// commitment after the block.
func appHash(h store.Header) []byte { return append([]byte(nil), h.StateRoot[:]...) }

// InitChain writes the genesis block: the native programs, the sysvars and
// the app state's accounts, at the genesis time. A ledger that already
// holds its genesis (a restart before the first block) is kept.
func (a *App) InitChain(_ context.Context, req *abcitypes.InitChainRequest) (*abcitypes.InitChainResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if req.InitialHeight > 1 {
		return nil, fmt.Errorf("abci: initial_height %d: Agora's ledger starts at block 1", req.InitialHeight)
	}
	accounts, err := DecodeAppState(req.AppStateBytes)
	if err != nil {
		return nil, err
	}
	if h, ok := a.st.Head(); ok {
		if h.Height != 0 {
			return nil, fmt.Errorf("abci: InitChain over a ledger at block %d", h.Height)
		}
		return &abcitypes.InitChainResponse{AppHash: appHash(h)}, nil
	}
	h, err := bank.Genesis(a.st, a.ex, req.Time.Unix(), accounts)
	if err != nil {
		return nil, err
	}
	if err := a.openBank(); err != nil {
		return nil, err
	}
	return &abcitypes.InitChainResponse{AppHash: appHash(h)}, nil
}

// CheckTx admits a transaction to the mempool: it decodes, is sanitized,
// its signatures verify (not on a recheck: they depend on the bytes
// alone), its blockhash is recent and no block holds it, and its fee payer
// is a system account that can pay the fee.
func (a *App) CheckTx(_ context.Context, req *abcitypes.CheckTxRequest) (*abcitypes.CheckTxResponse, error) {
	a.mu.Lock()
	b := a.bank
	a.mu.Unlock()
	tx, err := txn.Decode(req.Tx)
	if err != nil {
		return &abcitypes.CheckTxResponse{Code: CodeBadEncoding, Codespace: Codespace, Log: err.Error()}, nil
	}
	if b == nil {
		return &abcitypes.CheckTxResponse{Code: CodeRejected, Codespace: Codespace, Log: errNoGenesis.Error()}, nil
	}
	if req.Type != abcitypes.CHECK_TX_TYPE_RECHECK {
		if e := svm.Check(tx); e != nil {
			return rejected(e), nil
		}
	}
	if e := b.Admit(tx); e != nil {
		return rejected(e), nil
	}
	limits, err := a.ex.ComputeBudget(&tx.Message)
	if err != nil {
		return &abcitypes.CheckTxResponse{Code: CodeRejected, Codespace: Codespace, Log: err.Error()}, nil
	}
	fee := a.ex.Fee(&tx.Message, limits.PrioritizationFee())
	payerKey := tx.Message.AccountKeys[0]
	payer, err := b.Account(payerKey)
	if err != nil {
		return nil, err
	}
	switch {
	case !payer.Exists():
		return rejected(&svm.TransactionError{Kind: svm.AccountNotFound, Detail: "fee payer " + payerKey.String()}), nil
	case payer.Owner != pubkey.SystemProgram() || len(payer.Data) != 0:
		return rejected(&svm.TransactionError{Kind: svm.InvalidAccountForFee, Detail: "fee payer " + payerKey.String() + " is not a system account"}), nil
	case payer.Lamports < fee:
		return rejected(&svm.TransactionError{Kind: svm.InsufficientFundsForFee, Detail: fmt.Sprintf("balance %d, fee %d", payer.Lamports, fee)}), nil
	}
	return &abcitypes.CheckTxResponse{Code: CodeOK, GasWanted: int64(min(limits.ComputeUnitLimit, 1<<62))}, nil
}

func rejected(e *svm.TransactionError) *abcitypes.CheckTxResponse {
	return &abcitypes.CheckTxResponse{Code: CodeRejected, Codespace: Codespace, Log: e.String(), Info: e.Error()}
}

// PrepareProposal takes the mempool's transactions in order and keeps
// those that decode, pass sanitization, signatures and the bank's
// admission, are not repeated, and fit the block's cost limits (the
// scheduler's own cost tracker) and CometBFT's byte limit. A transaction
// over a limit is skipped and later, smaller ones may still fit, as in
// Agave's block packing.
func (a *App) PrepareProposal(_ context.Context, req *abcitypes.PrepareProposalRequest) (*abcitypes.PrepareProposalResponse, error) {
	a.mu.Lock()
	b := a.bank
	a.mu.Unlock()
	if b == nil {
		return nil, errNoGenesis
	}
	tr := sched.NewTracker(a.cfg.Limits)
	seen := make(map[txn.Signature]bool)
	var out [][]byte
	var size int64
	for _, raw := range req.Txs {
		if len(out) == sched.MaxBlockTransactions {
			break
		}
		n := cmttypes.ComputeProtoSizeForTxs([]cmttypes.Tx{raw})
		if size+n > req.MaxTxBytes {
			continue
		}
		tx, err := txn.Decode(raw)
		if err != nil || svm.Check(tx) != nil || b.Admit(tx) != nil || seen[tx.ID()] {
			continue
		}
		if tr.TryAdd(sched.EstimateCost(a.ex, tx), staticKeys(tx)) != nil {
			continue
		}
		seen[tx.ID()] = true
		size += n
		out = append(out, raw)
	}
	return &abcitypes.PrepareProposalResponse{Txs: out}, nil
}

// staticKeys is a transaction's message with its static keys only. A
// proposal's per-account limits count the accounts a transaction names
// itself; those a v0 transaction loads from lookup tables depend on the
// tables' state at execution, and the scheduler's tracker counts them in
// FinalizeBlock, leaving out what does not fit.
func staticKeys(tx *txn.Transaction) *txn.Resolved {
	return tx.Message.Resolve(txn.LoadedAddresses{})
}

// ProposalError is why ProcessProposal rejects a proposal: Tx is the
// offending transaction's index, -1 for the whole block.
type ProposalError struct {
	Tx     int
	Reason string
}

func (e *ProposalError) Error() string {
	if e.Tx < 0 {
		return "abci: proposal rejected: " + e.Reason
	}
	return "abci: proposal rejected: transaction " + strconv.Itoa(e.Tx) + ": " + e.Reason
}

// CheckProposal is ProcessProposal's verdict on a block's transactions:
// nil, or a *ProposalError for a block with more than
// sched.MaxBlockTransactions transactions, one that does not decode, one
// given twice, or transactions whose estimated costs, in order, break the
// block's cost limits. It depends on the transactions alone, so every
// validator reaches the same verdict.
func (a *App) CheckProposal(txs [][]byte) error {
	if len(txs) > sched.MaxBlockTransactions {
		return &ProposalError{Tx: -1, Reason: fmt.Sprintf("%d transactions, at most %d", len(txs), sched.MaxBlockTransactions)}
	}
	tr := sched.NewTracker(a.cfg.Limits)
	seen := make(map[txn.Signature]int, len(txs))
	for i, raw := range txs {
		tx, err := txn.Decode(raw)
		if err != nil {
			return &ProposalError{Tx: i, Reason: err.Error()}
		}
		if j, ok := seen[tx.ID()]; ok {
			return &ProposalError{Tx: i, Reason: fmt.Sprintf("repeats transaction %d", j)}
		}
		seen[tx.ID()] = i
		if e := tr.TryAdd(sched.EstimateCost(a.ex, tx), staticKeys(tx)); e != nil {
			return &ProposalError{Tx: i, Reason: e.String() + ": " + e.Detail}
		}
	}
	return nil
}

// ProcessProposal accepts a proposal that CheckProposal accepts.
func (a *App) ProcessProposal(_ context.Context, req *abcitypes.ProcessProposalRequest) (*abcitypes.ProcessProposalResponse, error) {
	if err := a.CheckProposal(req.Txs); err != nil {
		return &abcitypes.ProcessProposalResponse{Status: abcitypes.PROCESS_PROPOSAL_STATUS_REJECT}, nil
	}
	return &abcitypes.ProcessProposalResponse{Status: abcitypes.PROCESS_PROPOSAL_STATUS_ACCEPT}, nil
}

// FinalizeBlock executes a decided block through the bank and the
// scheduler, at the block's BFT time, and returns each transaction's
// result (gas is compute units) and the state commitment after the block,
// without writing anything: Commit does. The block's Clock, and the
// block hash later transactions reference, follow from the parent block,
// the height, the BFT time and the transactions, all decided by consensus.
func (a *App) FinalizeBlock(ctx context.Context, req *abcitypes.FinalizeBlockRequest) (*abcitypes.FinalizeBlockResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.bank == nil {
		return nil, errNoGenesis
	}
	if want := int64(a.bank.Head().Height) + 1; req.Height != want {
		return nil, fmt.Errorf("abci: FinalizeBlock at height %d, the ledger expects %d", req.Height, want)
	}
	results := make([]*abcitypes.ExecTxResult, len(req.Txs))
	txs := make([]*txn.Transaction, 0, len(req.Txs))
	index := make([]int, 0, len(req.Txs)) // position in req.Txs of txs[i]
	for i, raw := range req.Txs {
		tx, err := txn.Decode(raw)
		if err != nil {
			results[i] = &abcitypes.ExecTxResult{Code: CodeBadEncoding, Codespace: Codespace, Log: err.Error()}
			continue
		}
		txs = append(txs, tx)
		index = append(index, i)
	}
	p, err := a.bank.ExecuteBlock(ctx, txs, req.Time.Unix())
	if err != nil {
		return nil, err
	}
	for j, r := range p.Result.Txs {
		results[index[j]] = execResult(r)
	}
	a.pending, a.pendingTxs = p, txs
	return &abcitypes.FinalizeBlockResponse{TxResults: results, AppHash: appHash(p.Result.Header)}, nil
}

// execResult is a transaction's result as CometBFT records it.
func execResult(r bank.TxResult) *abcitypes.ExecTxResult {
	res := &abcitypes.ExecTxResult{GasWanted: int64(min(r.ComputeUnitLimit, 1<<62)), GasUsed: int64(min(r.CU, 1<<62))}
	switch {
	case !r.Charged:
		res.Code = CodeRejected
	case r.Err != nil:
		res.Code = CodeFailed
	}
	if r.Err != nil {
		res.Codespace, res.Log, res.Info = Codespace, r.Err.String(), r.Err.Error()
	}
	if r.Charged {
		res.Events = []abcitypes.Event{{Type: "solana", Attributes: []abcitypes.EventAttribute{
			{Key: "signature", Value: r.Signature.String(), Index: true},
			{Key: "fee", Value: strconv.FormatUint(r.Fee, 10)},
		}}}
	}
	return res
}

// Commit writes the block FinalizeBlock executed.
func (a *App) Commit(_ context.Context, _ *abcitypes.CommitRequest) (*abcitypes.CommitResponse, error) {
	a.mu.Lock()
	if a.pending == nil {
		a.mu.Unlock()
		return nil, errors.New("abci: Commit without a finalized block")
	}
	p, txs, hook := a.pending, a.pendingTxs, a.onCommit
	a.pending, a.pendingTxs = nil, nil
	res, err := a.bank.CommitBlock(p)
	a.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if hook != nil {
		hook(res, txs)
	}
	return &abcitypes.CommitResponse{}, nil
}
