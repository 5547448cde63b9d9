package abci

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	dbm "github.com/cometbft/cometbft-db"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	cmtcrypto "github.com/cometbft/cometbft/crypto"
	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	nm "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	rpclocal "github.com/cometbft/cometbft/rpc/client/local"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/viper"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
)

// A validator's home directory holds CometBFT's files (config/config.toml,
// config/genesis.json, config/node_key.json, config/priv_validator_key.json,
// data/) and Agora's chain directory, ChainDir: its Pebble ledger
// (ChainDir/ledger) and keystore (ChainDir/keys/NAME.json), the layout of
// `agora chain`.
const (
	ChainDir  = "agora"
	ledgerDir = "ledger"
	keysDir   = "keys"
	// FaucetKeyName is the keystore name of the key the genesis funds.
	FaucetKeyName = "payer"
	// FaucetLamports is what the genesis gives the faucet key: 1M SOL.
	FaucetLamports = 1_000_000 * 1_000_000_000
)

// LedgerPath is the Pebble ledger of the validator whose home is home.
func LedgerPath(home string) string { return filepath.Join(home, ChainDir, ledgerDir) }

// NodeOptions configures a validator started by StartNode.
type NodeOptions struct {
	// Lanes is how many workers execute each block (0: one per core).
	Lanes int
	// Log receives CometBFT's log (nil: discarded).
	Log io.Writer
	// LogLevel is "error" or "info" (default "info").
	LogLevel string
	// Executor executes transactions (nil: package ext's composition).
	Executor *svm.Executor
}

// Node is a validator running in this process: CometBFT's node over an
// App.
type Node struct {
	app  *App
	cmt  *nm.Node
	rpc  *rpclocal.Local
	home string
	// unclosed are the databases CometBFT's Stop leaves open.
	unclosed []dbm.DB
}

func (n *Node) closeDBs() error {
	var errs []error
	for _, db := range n.unclosed {
		errs = append(errs, db.Close())
	}
	n.unclosed = nil
	return errors.Join(errs...)
}

// LoadConfig reads home/config/config.toml.
func LoadConfig(home string) (*cfg.Config, error) {
	path := filepath.Join(home, "config", "config.toml")
	v := viper.New()
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("abci: reading %s: %w", path, err)
	}
	c := cfg.DefaultConfig()
	if err := v.Unmarshal(c); err != nil {
		return nil, fmt.Errorf("abci: %s: %w", path, err)
	}
	c.SetRoot(home)
	if err := c.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("abci: %s: %w", path, err)
	}
	return c, nil
}

// StartNode starts the validator whose home is home (as InitHome or
// WriteTestnet lay it out) in this process. CometBFT's handshake replays
// into the ledger the blocks it lacks before consensus starts.
func StartNode(home string, opts NodeOptions) (*Node, error) {
	conf, err := LoadConfig(home)
	if err != nil {
		return nil, err
	}
	app, err := Open(Config{Ledger: LedgerPath(home), Lanes: opts.Lanes, Executor: opts.Executor})
	if err != nil {
		return nil, err
	}
	n, err := startNode(conf, app, opts)
	if err != nil {
		app.Close()
		return nil, err
	}
	n.home = home
	return n, nil
}

func startNode(conf *cfg.Config, app *App, opts NodeOptions) (n *Node, err error) {
	// CometBFT reports some file errors by panicking (privval, os.Must*).
	defer func() {
		if r := recover(); r != nil {
			n, err = nil, fmt.Errorf("abci: starting the node: %v", r)
		}
	}()
	for _, f := range []string{conf.GenesisFile(), conf.PrivValidatorKeyFile(), conf.NodeKeyFile()} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("abci: %s is not a validator's home: %w", conf.RootDir, err)
		}
	}
	pv, err := privval.LoadOrGenFilePV(conf.PrivValidatorKeyFile(), conf.PrivValidatorStateFile(), nil)
	if err != nil {
		return nil, err
	}
	nodeKey, err := p2p.LoadNodeKey(conf.NodeKeyFile())
	if err != nil {
		return nil, err
	}
	logger := cmtlog.NewNopLogger()
	if opts.Log != nil {
		logger = cmtlog.NewTMLogger(cmtlog.NewSyncWriter(opts.Log))
		if opts.LogLevel == "error" {
			logger = cmtlog.NewFilter(logger, cmtlog.AllowError())
		} else {
			logger = cmtlog.NewFilter(logger, cmtlog.AllowInfo())
		}
	}
	n = &Node{app: app}
	// CometBFT's Stop closes its block, state and evidence databases but
	// not the transaction index; the node closes that one itself, so that
	// a validator can restart in the same process.
	dbs := func(ctx *cfg.DBContext) (dbm.DB, error) {
		raw, err := cfg.DefaultDBProvider(ctx)
		if err != nil {
			return nil, err
		}
		db := &closableDB{DB: raw}
		if ctx.ID == "tx_index" {
			n.unclosed = append(n.unclosed, db)
		}
		return db, nil
	}
	cn, err := nm.NewNode(context.Background(), conf, pv, nodeKey, proxy.NewLocalClientCreator(app),
		nm.DefaultGenesisDocProviderFunc(conf), dbs, nm.DefaultMetricsProvider(conf.Instrumentation), logger)
	if err != nil {
		n.closeDBs()
		return nil, err
	}
	if err := cn.Start(); err != nil {
		n.closeDBs()
		return nil, err
	}
	n.cmt, n.rpc = cn, rpclocal.New(cn)
	return n, nil
}

// App returns the node's application (its bank and store).
func (n *Node) App() *App { return n.app }

// Home returns the node's home directory.
func (n *Node) Home() string { return n.home }

// Height returns the last block the ledger committed.
func (n *Node) Height() uint64 {
	h, _ := n.app.st.Head()
	return h.Height
}

// CatchingUp reports whether the node is still syncing blocks from its
// peers (CometBFT's blocksync) rather than taking part in consensus; its
// mempool refuses transactions meanwhile.
func (n *Node) CatchingUp() bool {
	st, err := n.rpc.Status(context.Background())
	return err != nil || st.SyncInfo.CatchingUp
}

// Bank returns the validator's chain (committed state).
func (n *Node) Bank() *bank.Bank { return n.app.Bank() }

// Store returns the validator's ledger.
func (n *Node) Store() *store.Store { return n.app.st }

// Submit hands a transaction to CometBFT's mempool (which gossips it to
// the other validators) and returns an error if CheckTx refuses it. With
// Bank and Store it serves an RPC server's transaction path (package
// node's Backend).
func (n *Node) Submit(tx *txn.Transaction) error {
	res, err := n.Broadcast(context.Background(), tx.Encode())
	if err != nil {
		return fmt.Errorf("abci: the mempool refused the transaction: %w", err)
	}
	if res.Code != CodeOK {
		return &CheckTxError{Code: res.Code, Log: res.Log}
	}
	return nil
}

// CheckTxError is a transaction CheckTx refused.
type CheckTxError struct {
	Code uint32
	Log  string
}

func (e *CheckTxError) Error() string {
	return fmt.Sprintf("abci: CheckTx refused the transaction (code %d): %s", e.Code, e.Log)
}

// Broadcast offers a wire transaction to the node's mempool, which gossips
// it to the other validators, and returns CheckTx's verdict.
func (n *Node) Broadcast(ctx context.Context, raw []byte) (*abcitypes.CheckTxResponse, error) {
	res, err := n.rpc.BroadcastTxSync(ctx, cmttypes.Tx(raw))
	if err != nil {
		return nil, err
	}
	return &abcitypes.CheckTxResponse{Code: res.Code, Log: res.Log, Codespace: res.Codespace}, nil
}

// Stop stops the node and closes its ledger.
func (n *Node) Stop() error {
	err := n.cmt.Stop()
	n.cmt.Wait()
	return errors.Join(err, n.closeDBs(), n.app.Close())
}

// Wait blocks until the node stops.
func (n *Node) Wait() { n.cmt.Wait() }

// TestnetOptions configures WriteTestnet.
type TestnetOptions struct {
	// Validators is the number of validators (at least 1).
	Validators int
	// ChainID names the network (default "agora-testnet").
	ChainID string
	// Host is the address every node listens on (default 127.0.0.1).
	Host string
	// P2PPorts and RPCPorts are each validator's ports; when nil, node i
	// listens on BasePort+2i (p2p) and BasePort+2i+1 (CometBFT RPC).
	P2PPorts, RPCPorts []int
	// BasePort is 26656 when zero.
	BasePort int
	// BlockTime is CometBFT's timeout_commit, the pause after each block
	// (default 500ms); the other timeouts are set from it, short, for a
	// network on one machine.
	BlockTime time.Duration
	// Accounts are funded at genesis besides the faucet key.
	Accounts []account.Keyed
	// GenesisTime is the genesis block's time (default: now). It is the
	// time of block 0 on every validator.
	GenesisTime time.Time
}

// Testnet is what WriteTestnet wrote.
type Testnet struct {
	// Homes are the validators' home directories, DIR/node0, DIR/node1, ...
	Homes []string
	// Faucet is the key the genesis funds with FaucetLamports; it is
	// stored in every validator's keystore as FaucetKeyName and in
	// DIR/payer.json.
	Faucet ed25519.PrivateKey
	// P2P and RPC are each validator's listen addresses.
	P2P, RPC []string
}

// WriteTestnet writes the homes of a local network of validators in dir
// (which must not hold one already): a shared genesis with every
// validator at equal power and the faucet key funded, a private validator
// key and a node key each, every other validator as a persistent peer,
// distinct ports, and short consensus timeouts.
func WriteTestnet(dir string, o TestnetOptions) (tn *Testnet, err error) {
	defer func() {
		if r := recover(); r != nil {
			tn, err = nil, fmt.Errorf("abci: writing the testnet: %v", r)
		}
	}()
	if o.Validators < 1 {
		return nil, fmt.Errorf("abci: a testnet needs at least one validator, not %d", o.Validators)
	}
	if (o.P2PPorts != nil && len(o.P2PPorts) != o.Validators) || (o.RPCPorts != nil && len(o.RPCPorts) != o.Validators) {
		return nil, fmt.Errorf("abci: %d validators need %d p2p and rpc ports", o.Validators, o.Validators)
	}
	if o.ChainID == "" {
		o.ChainID = "agora-testnet"
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.BasePort == 0 {
		o.BasePort = 26656
	}
	if o.BlockTime <= 0 {
		o.BlockTime = 500 * time.Millisecond
	}
	if o.GenesisTime.IsZero() {
		o.GenesisTime = time.Now().UTC().Truncate(time.Second)
	}
	if _, err := os.Stat(filepath.Join(dir, "node0")); err == nil {
		return nil, fmt.Errorf("abci: %s already holds a testnet", dir)
	}
	_, faucet, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	tn = &Testnet{Faucet: faucet}
	accounts := append([]account.Keyed{{Key: txn.PubkeyOf(faucet), Account: account.Account{Lamports: FaucetLamports, Owner: pubkey.SystemProgram()}}}, o.Accounts...)
	appState := EncodeAppState(accounts)
	if _, err := DecodeAppState(appState); err != nil {
		return nil, err
	}
	gen := &cmttypes.GenesisDoc{ChainID: o.ChainID, GenesisTime: o.GenesisTime, InitialHeight: 1,
		ConsensusParams: cmttypes.DefaultConsensusParams(), AppState: appState}
	var peers []string
	confs := make([]*cfg.Config, o.Validators)
	for i := range o.Validators {
		home := filepath.Join(dir, fmt.Sprintf("node%d", i))
		p2pPort, rpcPort := o.BasePort+2*i, o.BasePort+2*i+1
		if o.P2PPorts != nil {
			p2pPort, rpcPort = o.P2PPorts[i], o.RPCPorts[i]
		}
		c := cfg.DefaultConfig()
		c.SetRoot(home)
		c.Moniker = fmt.Sprintf("node%d", i)
		c.P2P.ListenAddress = fmt.Sprintf("tcp://%s:%d", o.Host, p2pPort)
		c.P2P.ExternalAddress = fmt.Sprintf("%s:%d", o.Host, p2pPort)
		c.P2P.AddrBookStrict = false
		c.P2P.AllowDuplicateIP = true
		c.RPC.ListenAddress = fmt.Sprintf("tcp://%s:%d", o.Host, rpcPort)
		setTimeouts(c.Consensus, o.BlockTime)
		for _, d := range []string{filepath.Join(home, "config"), filepath.Join(home, "data"), filepath.Join(home, ChainDir, keysDir)} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				return nil, err
			}
		}
		pv, err := privval.GenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile(), func() (cmtcrypto.PrivKey, error) { return cmted25519.GenPrivKey(), nil })
		if err != nil {
			return nil, err
		}
		pv.Save()
		nodeKey, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile())
		if err != nil {
			return nil, err
		}
		pub, err := pv.GetPubKey()
		if err != nil {
			return nil, err
		}
		gen.Validators = append(gen.Validators, cmttypes.GenesisValidator{Address: pub.Address(), PubKey: pub, Power: 10, Name: c.Moniker})
		if err := writeKeyFile(filepath.Join(home, ChainDir, keysDir, FaucetKeyName+".json"), faucet); err != nil {
			return nil, err
		}
		peers = append(peers, p2p.IDAddressString(nodeKey.ID(), fmt.Sprintf("%s:%d", o.Host, p2pPort)))
		confs[i] = c
		tn.Homes = append(tn.Homes, home)
		tn.P2P = append(tn.P2P, c.P2P.ListenAddress)
		tn.RPC = append(tn.RPC, c.RPC.ListenAddress)
	}
	if err := gen.ValidateAndComplete(); err != nil {
		return nil, err
	}
	for i, c := range confs {
		var others []string
		for j, p := range peers {
			if j != i {
				others = append(others, p)
			}
		}
		c.P2P.PersistentPeers = strings.Join(others, ",")
		cfg.WriteConfigFile(filepath.Join(c.RootDir, "config", "config.toml"), c)
		if err := gen.SaveAs(c.GenesisFile()); err != nil {
			return nil, err
		}
	}
	if err := writeKeyFile(filepath.Join(dir, FaucetKeyName+".json"), faucet); err != nil {
		return nil, err
	}
	return tn, nil
}

// InitHome writes a single validator's home in home, a network of one
// (WriteTestnet's node0 layout, moved up), unless home already has a
// genesis. It reports whether it wrote one.
func InitHome(home string, o TestnetOptions) (bool, error) {
	if _, err := os.Stat(filepath.Join(home, "config", "genesis.json")); err == nil {
		return false, nil
	}
	o.Validators, o.P2PPorts, o.RPCPorts = 1, nil, nil
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(home)), ".agora-init-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	if _, err := WriteTestnet(tmp, o); err != nil {
		return false, err
	}
	if err := os.MkdirAll(home, 0o700); err != nil {
		return false, err
	}
	for _, name := range []string{"config", "data", ChainDir} {
		if err := os.Rename(filepath.Join(tmp, "node0", name), filepath.Join(home, name)); err != nil {
			return false, err
		}
	}
	// The config names its own paths relative to the home: rewrite it there.
	c, err := LoadConfig(home)
	if err != nil {
		return false, err
	}
	c.P2P.PersistentPeers = ""
	cfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), c)
	return true, nil
}

// setTimeouts sets consensus timeouts for validators on one machine or a
// LAN: a block every blockTime or so.
func setTimeouts(c *cfg.ConsensusConfig, blockTime time.Duration) {
	c.TimeoutCommit = blockTime
	c.TimeoutPropose = max(2*blockTime, time.Second)
	c.TimeoutProposeDelta = 200 * time.Millisecond
	c.TimeoutPrevote = max(blockTime/2, 100*time.Millisecond)
	c.TimeoutPrevoteDelta = 100 * time.Millisecond
	c.TimeoutPrecommit = max(blockTime/2, 100*time.Millisecond)
	c.TimeoutPrecommitDelta = 100 * time.Millisecond
	c.PeerGossipSleepDuration = 20 * time.Millisecond
}

// ReadFaucet reads the faucet key from a validator's keystore
// (home/agora/keys/payer.json), nil if there is none.
func ReadFaucet(home string) (ed25519.PrivateKey, error) {
	path := filepath.Join(home, ChainDir, keysDir, FaucetKeyName+".json")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ints []int
	if err := json.Unmarshal(b, &ints); err != nil || len(ints) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("abci: %s is not a keypair (a JSON array of %d bytes)", path, ed25519.PrivateKeySize)
	}
	k := make(ed25519.PrivateKey, len(ints))
	for i, v := range ints {
		if v < 0 || v > 255 {
			return nil, fmt.Errorf("abci: %s: byte %d is %d", path, i, v)
		}
		k[i] = byte(v)
	}
	if !bytes.Equal(ed25519.NewKeyFromSeed(k[:32]), k) {
		return nil, fmt.Errorf("abci: %s: the public half does not match the secret key", path)
	}
	return k, nil
}

// writeKeyFile stores a keypair in the Solana CLI's format: a JSON array
// of the 64 bytes of the secret and public key.
func writeKeyFile(path string, k ed25519.PrivateKey) error {
	ints := make([]int, len(k))
	for i, b := range k {
		ints[i] = int(b)
	}
	b, err := json.Marshal(ints)
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}
