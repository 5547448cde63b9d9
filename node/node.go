package node

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
)

// A chain directory, shared with `agora chain`: DIR/ledger is the Pebble
// store, DIR/keys/NAME.json the keystore (the Solana CLI's key format).
const (
	LedgerDir = "ledger"
	KeysDir   = "keys"
	// FaucetKey is the keystore name of the key requestAirdrop pays from:
	// the payer `agora chain init` creates.
	FaucetKey = "payer"
	// GenesisLamports is the faucet's balance in a chain the node creates.
	GenesisLamports = 500_000_000_000
)

// Config configures a Node.
type Config struct {
	// BlockTime is how often a block is produced (400ms by default).
	BlockTime time.Duration
	// Lanes is the scheduler's workers (0: one per core).
	Lanes int
	// MempoolSize is the most transactions waiting (100,000 by default);
	// more are refused with ErrMempoolFull.
	MempoolSize int
	// MaxBlockTxs is the most transactions a block takes from the mempool
	// (sched.MaxBlockTransactions by default); Agave's cost limits apply
	// within it, and what does not fit waits for the next block.
	MaxBlockTxs int
	// Log receives progress lines (nil: none).
	Log io.Writer
}

func (c *Config) defaults() {
	if c.BlockTime <= 0 {
		c.BlockTime = 400 * time.Millisecond
	}
	if c.MempoolSize <= 0 {
		c.MempoolSize = 100_000
	}
	if c.MaxBlockTxs <= 0 || c.MaxBlockTxs > sched.MaxBlockTransactions {
		c.MaxBlockTxs = sched.MaxBlockTransactions
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// Node is a single-node chain: a mempool, a block producer and the
// Backend of a Server.
type Node struct {
	cfg  Config
	st   *store.Store
	bank *bank.Bank
	pool *mempool
	srv  *Server
	// mu serializes block production (Produce and Run).
	mu sync.Mutex
}

// New returns a node producing blocks on b (over st). Attach a server
// with Serve or NewServer(n, ...) and n.SetServer.
func New(st *store.Store, b *bank.Bank, cfg Config) *Node {
	cfg.defaults()
	b.SetScheduler(sched.Config{Lanes: cfg.Lanes})
	return &Node{cfg: cfg, st: st, bank: b, pool: newMempool(cfg.MempoolSize)}
}

// Bank implements Backend.
func (n *Node) Bank() *bank.Bank { return n.bank }

// Store implements Backend.
func (n *Node) Store() *store.Store { return n.st }

// Submit implements Backend: it queues tx for a coming block.
func (n *Node) Submit(tx *txn.Transaction) error {
	err := n.pool.add(tx, time.Now())
	if n.srv != nil {
		n.srv.metrics.mempool.Set(float64(n.pool.size()))
	}
	return err
}

// SetServer makes srv hear of every block the node commits.
func (n *Node) SetServer(srv *Server) { n.srv = srv }

// Pending is how many transactions wait for a block.
func (n *Node) Pending() int { return n.pool.size() }

// Run produces a block every BlockTime until ctx is done; then it
// returns, after the block being built (if any) has committed.
func (n *Node) Run(ctx context.Context) error {
	t := time.NewTicker(n.cfg.BlockTime)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := n.Produce(); err != nil {
				return err
			}
		}
	}
}

// retryable are the refusals a later block may accept: the block had no
// room left.
func retryable(e *svm.TransactionError) bool {
	switch e.Kind {
	case svm.WouldExceedMaxBlockCostLimit, svm.WouldExceedMaxAccountCostLimit, svm.WouldExceedAccountDataBlockLimit, svm.WouldExceedAccountDataTotalLimit:
		return true
	}
	return false
}

// Produce executes and commits one block of the waiting transactions (an
// empty block when none wait) and tells the server.
func (n *Node) Produce() (*bank.BlockResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	ps := n.pool.take(n.cfg.MaxBlockTxs)
	txs := make([]*txn.Transaction, len(ps))
	for i, p := range ps {
		txs[i] = p.tx
	}
	var tr *sched.Trace
	if n.srv != nil {
		tr = sched.NewTrace()
		n.bank.SetScheduler(sched.Config{Lanes: n.cfg.Lanes, Trace: tr})
	}
	start := time.Now()
	ts := max(start.Unix(), n.bank.Head().Timestamp)
	res, err := n.bank.ProcessBlock(txs, ts)
	if err != nil {
		n.pool.requeue(ps)
		return nil, fmt.Errorf("node: block %d: %w", n.bank.Head().Height+1, err)
	}
	elapsed := time.Since(start)
	var retry, decided []pending
	var dropped int
	for i, r := range res.Txs {
		switch {
		case r.Charged:
			decided = append(decided, ps[i])
		case r.Err != nil && retryable(r.Err) && ps[i].tries < 3:
			ps[i].tries++
			retry = append(retry, ps[i])
		default:
			dropped++
			decided = append(decided, ps[i])
			fmt.Fprintf(n.cfg.Log, "node: dropped %s: %v\n", ps[i].sig, r.Err)
		}
	}
	n.pool.requeue(retry)
	n.pool.done(decided)
	if n.srv != nil {
		n.srv.Committed(res, txs, &BlockStats{Duration: elapsed, Submitted: submitTimes(ps), Dropped: dropped, Trace: tr, Lanes: n.cfg.Lanes})
		n.srv.metrics.mempool.Set(float64(n.pool.size()))
	}
	if len(txs) > 0 {
		fmt.Fprintf(n.cfg.Log, "node: block %d: %d transactions (%d dropped, %d deferred) in %v\n", res.Header.Height, res.Header.NumTxs, dropped, len(retry), elapsed.Round(time.Microsecond))
	}
	return res, nil
}

func submitTimes(ps []pending) map[txn.Signature]time.Time {
	m := make(map[txn.Signature]time.Time, len(ps))
	for _, p := range ps {
		m[p.sig] = p.at
	}
	return m
}

// OpenDir opens the chain in dir, creating it first (a genesis block and
// a funded faucet key, as `agora chain init` does) when dir holds none.
// It returns the store, the faucet key (nil when the keystore has none)
// and whether the chain was created.
func OpenDir(dir string, ex *svm.Executor) (st *store.Store, faucet ed25519.PrivateKey, created bool, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, false, err
	}
	faucet, err = ReadKey(dir, FaucetKey)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, false, err
	}
	st, err = store.Open(filepath.Join(dir, LedgerDir))
	if err != nil {
		return nil, nil, false, err
	}
	if _, ok := st.Head(); ok {
		return st, faucet, false, nil
	}
	if faucet == nil {
		_, faucet, err = ed25519.GenerateKey(rand.Reader)
		if err == nil {
			err = WriteKey(dir, FaucetKey, faucet)
		}
		if err != nil {
			st.Close()
			return nil, nil, false, err
		}
	}
	if _, err := bank.Genesis(st, ex, time.Now().Unix(), []bank.GenesisAccount{{Key: txn.PubkeyOf(faucet), Account: account.Account{Lamports: GenesisLamports}}}); err != nil {
		st.Close()
		return nil, nil, false, err
	}
	return st, faucet, true, nil
}

// ReadKey reads DIR/keys/NAME.json (a JSON array of the 64 bytes of an
// ed25519 secret key).
func ReadKey(dir, name string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(filepath.Join(dir, KeysDir, name+".json"))
	if err != nil {
		return nil, err
	}
	var ints []int
	if err := json.Unmarshal(b, &ints); err != nil || len(ints) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("node: %s is not a keypair file (a JSON array of 64 bytes)", name)
	}
	k := make(ed25519.PrivateKey, len(ints))
	for i, v := range ints {
		if v < 0 || v > 255 {
			return nil, fmt.Errorf("node: %s is not a keypair file: byte %d is %d", name, i, v)
		}
		k[i] = byte(v)
	}
	if !ed25519.NewKeyFromSeed(k[:32]).Equal(k) {
		return nil, fmt.Errorf("node: %s: public key does not match the secret key", name)
	}
	return k, nil
}

// WriteKey writes a new DIR/keys/NAME.json.
func WriteKey(dir, name string, k ed25519.PrivateKey) error {
	if err := os.MkdirAll(filepath.Join(dir, KeysDir), 0o700); err != nil {
		return err
	}
	ints := make([]int, len(k))
	for i, b := range k {
		ints[i] = int(b)
	}
	b, _ := json.Marshal(ints)
	f, err := os.OpenFile(filepath.Join(dir, KeysDir, name+".json"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// faucetAddress is the faucet's address, for logs.
func faucetAddress(k ed25519.PrivateKey) pubkey.Pubkey { return txn.PubkeyOf(k) }
