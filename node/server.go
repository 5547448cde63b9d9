package node

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
)

// Backend is what the RPC server serves: committed state to read and
// simulate against, and a way to hand transactions to the chain.
//
// The server checks a transaction fully before Submit (decoding, sanity,
// signatures, a recent blockhash, not already processed, and a preflight
// simulation unless the client skips it); Submit only queues it. A
// consensus engine implements Backend over its own mempool, and calls
// Server.Committed after each block it commits so that subscriptions and
// metrics see it.
type Backend interface {
	// Bank is the committed chain: head, blockhashes, simulation.
	Bank() *bank.Bank
	// Store is the bank's store: accounts, blocks, transaction history.
	Store() *store.Store
	// Submit queues a checked transaction for a coming block. An error
	// (such as one wrapping ErrMempoolFull) means it was not queued.
	Submit(tx *txn.Transaction) error
}

// ServerConfig configures a Server.
type ServerConfig struct {
	// Faucet pays requestAirdrop (nil: requestAirdrop is refused).
	Faucet ed25519.PrivateKey
	// MaxBodyBytes caps a request body (Agave's 50 KiB by default).
	MaxBodyBytes int64
	// Log receives errors the server recovers from (nil: none).
	Log io.Writer
}

// DefaultMaxBodyBytes is Agave's cap on a JSON-RPC request body.
const DefaultMaxBodyBytes = 50 << 10

// Version is what getVersion reports as solana-core: the Agave release
// whose RPC this server follows.
const Version = "2.2.0"

// Server answers Solana's JSON-RPC over HTTP and its subscriptions over
// WebSocket.
type Server struct {
	be       Backend
	cfg      ServerConfig
	metrics  *metrics
	hub      *hub
	fees     *prioFees
	airdrops atomic.Uint64
	genesis  struct {
		once sync.Once
		hash txn.Hash
	}
}

// NewServer returns a server over be.
func NewServer(be Backend, cfg ServerConfig) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	s := &Server{be: be, cfg: cfg, metrics: newMetrics(), fees: newPrioFees()}
	s.hub = newHub(s)
	return s
}

// Handler serves JSON-RPC (POST /), GET /health and GET /metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", s.metrics.handler())
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("/", s.serveHTTP)
	return mux
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// Any origin may call, as Agave's RPC allows: browser clients use it.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, solana-client")
		w.Header().Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "Used HTTP Method is not allowed. POST is required", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, Response{Error: &Error{Code: CodeParseError, Message: "Parse error: " + err.Error()}})
		return
	}
	if int64(len(body)) > s.cfg.MaxBodyBytes {
		writeJSON(w, http.StatusRequestEntityTooLarge, Response{Error: &Error{Code: CodeInvalidRequest,
			Message: fmt.Sprintf("Invalid request: the request body is over %d bytes", s.cfg.MaxBodyBytes)}})
		return
	}
	out := s.HandleBody(body)
	if out == nil {
		w.WriteHeader(http.StatusOK) // notifications only
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// HandleBody answers a request body (one request or a batch); nil when
// it held only notifications.
func (s *Server) HandleBody(body []byte) []byte {
	reqs, batch, derr := DecodeRequests(body)
	if derr != nil {
		b, _ := json.Marshal(Response{Error: derr})
		return b
	}
	var out []Response
	for i := range reqs {
		resp, ok := s.handle(&reqs[i])
		if ok {
			out = append(out, resp)
		}
	}
	if len(out) == 0 {
		return nil
	}
	var b []byte
	if batch {
		b, _ = json.Marshal(out)
	} else {
		b, _ = json.Marshal(out[0])
	}
	return b
}

// handle answers one request; false for a notification (no answer).
func (s *Server) handle(r *Request) (resp Response, answer bool) {
	resp.ID = r.ID
	if r.Err != nil {
		resp.Error = r.Err
		return resp, true
	}
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(s.cfg.Log, "node: recovered from a panic in %s: %v\n", r.Method, p)
			resp.Result, resp.Error = nil, &Error{Code: CodeInternal, Message: "Internal error"}
		}
	}()
	h := s.method(r.Method)
	if h == nil {
		s.metrics.requests.WithLabelValues("unknown").Inc()
		resp.Error = &Error{Code: CodeMethodNotFound, Message: "Method not found"}
		return resp, r.ID != nil
	}
	s.metrics.requests.WithLabelValues(r.Method).Inc()
	p, perr := parseParams(r.Params)
	if perr != nil {
		resp.Error = perr
		return resp, r.ID != nil
	}
	resp.Result, resp.Error = h(p)
	return resp, r.ID != nil
}

type handlerFunc func(p params) (any, *Error)

// method returns the handler of a JSON-RPC method, nil if none.
func (s *Server) method(name string) handlerFunc {
	switch name {
	case "getHealth":
		return s.getHealth
	case "getVersion":
		return s.getVersion
	case "getSlot":
		return s.getSlot
	case "getBlockHeight":
		return s.getSlot
	case "getLatestBlockhash":
		return s.getLatestBlockhash
	case "isBlockhashValid":
		return s.isBlockhashValid
	case "getBalance":
		return s.getBalance
	case "getAccountInfo":
		return s.getAccountInfo
	case "getMultipleAccounts":
		return s.getMultipleAccounts
	case "getProgramAccounts":
		return s.getProgramAccounts
	case "getMinimumBalanceForRentExemption":
		return s.getMinimumBalanceForRentExemption
	case "getFeeForMessage":
		return s.getFeeForMessage
	case "requestAirdrop":
		return s.requestAirdrop
	case "sendTransaction":
		return s.sendTransaction
	case "simulateTransaction":
		return s.simulateTransaction
	case "getSignatureStatuses":
		return s.getSignatureStatuses
	case "getTransaction":
		return s.getTransaction
	case "getSignaturesForAddress":
		return s.getSignaturesForAddress
	case "getBlock":
		return s.getBlock
	case "getBlockTime":
		return s.getBlockTime
	case "getRecentPrioritizationFees":
		return s.getRecentPrioritizationFees
	case "getTokenAccountBalance":
		return s.getTokenAccountBalance
	case "getTokenAccountsByOwner":
		return s.getTokenAccountsByOwner
	case "getEpochInfo":
		return s.getEpochInfo
	case "getEpochSchedule":
		return s.getEpochSchedule
	case "getGenesisHash":
		return s.getGenesisHash
	case "getFirstAvailableBlock":
		return s.getFirstAvailableBlock
	case "minimumLedgerSlot":
		return s.getFirstAvailableBlock
	case "getBlocks":
		return s.getBlocks
	case "getBlocksWithLimit":
		return s.getBlocksWithLimit
	case "getMaxRetransmitSlot", "getMaxShredInsertSlot":
		return s.getSlot
	case "getTokenSupply":
		return s.getTokenSupply
	}
	return nil
}

// Committed tells the server of a block the chain committed: it updates
// the metrics and the prioritization-fee window and notifies the
// subscriptions. txs[i] is the transaction of res.Txs[i]; stats may be
// nil.
func (s *Server) Committed(res *bank.BlockResult, txs []*txn.Transaction, stats *BlockStats) {
	now := time.Now()
	var ok, failed int
	var cu uint64
	for _, t := range res.Txs {
		if !t.Charged {
			continue
		}
		if t.Err == nil {
			ok++
		} else {
			failed++
		}
		cu += t.CU
		if stats != nil {
			if at, found := stats.Submitted[t.Signature]; found {
				s.metrics.confirmation.Observe(now.Sub(at).Seconds())
			}
		}
	}
	s.metrics.height.Set(float64(res.Header.Height))
	s.metrics.block(now, ok, failed, cu, stats)
	s.fees.add(res, txs, s.be.Bank().Executor().IsBuiltin)
	s.hub.committed(res, txs)
}

// context wraps a value with the slot it was read at.
func (s *Server) context(slot uint64, v any) any {
	return map[string]any{"context": map[string]any{"apiVersion": Version, "slot": slot}, "value": v}
}

// commitmentConfig is the config every reading method accepts.
type commitmentConfig struct {
	Commitment     string  `json:"commitment"`
	MinContextSlot *uint64 `json:"minContextSlot"`
}

// commitmentParam reads the optional commitment config at position i of
// p and checks it against the committed head, whose height it returns.
func (s *Server) commitmentParam(p params, i int) (uint64, *Error) {
	var c commitmentConfig
	if _, e := p.get(i, &c, true); e != nil {
		return 0, e
	}
	head := s.head().Height
	if e := c.check(head); e != nil {
		return 0, e
	}
	return head, nil
}

// txConfigParam reads the transaction config at position i of p: an
// object, or (the deprecated form) an encoding string.
func txConfigParam(p params, i int) (txConfig, *Error) {
	var c txConfig
	if len(p) > i && len(bytes.TrimSpace(p[i])) > 0 && p[i][0] == '"' {
		if _, e := p.get(i, &c.Encoding, false); e != nil {
			return c, e
		}
	} else if _, e := p.get(i, &c, true); e != nil {
		return c, e
	}
	return c, c.check()
}

// check validates the commitment and the minimum context slot against
// the head.
func (c *commitmentConfig) check(head uint64) *Error {
	if e := checkCommitment(c.Commitment); e != nil {
		return e
	}
	if c.MinContextSlot != nil && *c.MinContextSlot > head {
		return &Error{Code: CodeMinContextSlotNotReached, Message: "Minimum context slot has not been reached", Data: map[string]any{"contextSlot": head}}
	}
	return nil
}

// checkCommitment accepts Solana's levels (and their old names). On a
// single node they all read the committed head.
func checkCommitment(c string) *Error {
	switch c {
	case "", "processed", "confirmed", "finalized", "recent", "single", "singleGossip", "root", "max":
		return nil
	}
	return errInvalidParams("Invalid params: unknown variant `%s`, expected one of `processed`, `confirmed`, `finalized`", c)
}

func (s *Server) head() store.Header { return s.be.Bank().Head() }

func (s *Server) getHealth(p params) (any, *Error) { return "ok", p.most(0) }

func (s *Server) getVersion(p params) (any, *Error) {
	return map[string]any{"solana-core": Version, "feature-set": 0, "agora": true}, p.most(0)
}

func (s *Server) getSlot(p params) (any, *Error) {
	h, e := s.commitmentParam(p, 0)
	if e != nil {
		return nil, e
	}
	return h, p.most(1)
}

func (s *Server) getLatestBlockhash(p params) (any, *Error) {
	var c commitmentConfig
	if _, e := p.get(0, &c, true); e != nil {
		return nil, e
	}
	h := s.head()
	if e := c.check(h.Height); e != nil {
		return nil, e
	}
	return s.context(h.Height, map[string]any{"blockhash": txn.Hash(h.Hash).String(), "lastValidBlockHeight": h.Height + bank.MaxRecentBlockhashes}), nil
}

func (s *Server) isBlockhashValid(p params) (any, *Error) {
	var hs string
	var c commitmentConfig
	if _, e := p.get(0, &hs, false); e != nil {
		return nil, e
	}
	if _, e := p.get(1, &c, true); e != nil {
		return nil, e
	}
	h, e := decodeHash(hs)
	if e != nil {
		return nil, e
	}
	head := s.head().Height
	if e := c.check(head); e != nil {
		return nil, e
	}
	return s.context(head, s.be.Bank().BlockhashValid(h)), nil
}

func (s *Server) pubkeyParam(p params, i int) (pubkey.Pubkey, *Error) {
	var ks string
	if _, e := p.get(i, &ks, false); e != nil {
		return pubkey.Pubkey{}, e
	}
	return decodePubkey(ks)
}

func (s *Server) getBalance(p params) (any, *Error) {
	k, e := s.pubkeyParam(p, 0)
	if e != nil {
		return nil, e
	}
	head, e := s.commitmentParam(p, 1)
	if e != nil {
		return nil, e
	}
	a, err := s.be.Store().Account(k)
	if err != nil {
		return nil, internal(err)
	}
	return s.context(head, a.Lamports), nil
}

func internal(err error) *Error {
	return &Error{Code: CodeInternal, Message: "Internal error: " + err.Error()}
}

// readAccount renders one account (nil when it does not exist).
func (s *Server) readAccount(k pubkey.Pubkey, c *accountConfig) (any, *Error) {
	a, err := s.be.Store().Account(k)
	if err != nil {
		return nil, internal(err)
	}
	if !a.Exists() {
		return nil, nil
	}
	u, e := encodeAccount(k, &a, c.Encoding, c.DataSlice, s.be.Store().Account)
	if e != nil {
		return nil, e
	}
	return u, nil
}

func (c *accountConfig) check(head uint64) *Error {
	if e := checkEncoding(c.Encoding); e != nil {
		return e
	}
	cc := commitmentConfig{Commitment: c.Commitment, MinContextSlot: c.MinContextSlot}
	return cc.check(head)
}

func (s *Server) getAccountInfo(p params) (any, *Error) {
	k, e := s.pubkeyParam(p, 0)
	if e != nil {
		return nil, e
	}
	var c accountConfig
	if _, e := p.get(1, &c, true); e != nil {
		return nil, e
	}
	head := s.head().Height
	if e := c.check(head); e != nil {
		return nil, e
	}
	v, e := s.readAccount(k, &c)
	if e != nil {
		return nil, e
	}
	return s.context(head, v), nil
}

// MaxMultipleAccounts is the most keys getMultipleAccounts takes.
const MaxMultipleAccounts = 100

func (s *Server) getMultipleAccounts(p params) (any, *Error) {
	var keys []string
	if _, e := p.get(0, &keys, false); e != nil {
		return nil, e
	}
	if len(keys) > MaxMultipleAccounts {
		return nil, errInvalidParams("Too many inputs provided; max %d", MaxMultipleAccounts)
	}
	var c accountConfig
	if _, e := p.get(1, &c, true); e != nil {
		return nil, e
	}
	head := s.head().Height
	if e := c.check(head); e != nil {
		return nil, e
	}
	out := make([]any, len(keys))
	for i, ks := range keys {
		k, e := decodePubkey(ks)
		if e != nil {
			return nil, e
		}
		if out[i], e = s.readAccount(k, &c); e != nil {
			return nil, e
		}
	}
	return s.context(head, out), nil
}

func (s *Server) getMinimumBalanceForRentExemption(p params) (any, *Error) {
	var n uint64
	if _, e := p.get(0, &n, false); e != nil {
		return nil, e
	}
	var c commitmentConfig
	if _, e := p.get(1, &c, true); e != nil {
		return nil, e
	}
	if e := checkCommitment(c.Commitment); e != nil {
		return nil, e
	}
	r := s.be.Bank().Rent()
	return r.MinimumBalance(n), nil
}

func (s *Server) getEpochSchedule(p params) (any, *Error) {
	return map[string]any{"slotsPerEpoch": 432_000, "leaderScheduleSlotOffset": 432_000, "warmup": false, "firstNormalEpoch": 0, "firstNormalSlot": 0}, p.most(0)
}

func (s *Server) getEpochInfo(p params) (any, *Error) {
	h, e := s.commitmentParam(p, 0)
	if e != nil {
		return nil, e
	}
	const slotsPerEpoch = 432_000
	return map[string]any{"absoluteSlot": h, "blockHeight": h, "epoch": h / slotsPerEpoch, "slotIndex": h % slotsPerEpoch, "slotsInEpoch": slotsPerEpoch}, nil
}

func (s *Server) getGenesisHash(p params) (any, *Error) {
	var err error
	s.genesis.once.Do(func() {
		var r store.Record
		r, err = s.be.Store().Block(0)
		s.genesis.hash = r.Header.Hash
	})
	if err != nil {
		return nil, internal(err)
	}
	return s.genesis.hash.String(), p.most(0)
}

func (s *Server) getFirstAvailableBlock(p params) (any, *Error) { return 0, p.most(0) }

// block returns a committed block, or Solana's error for a slot the node
// does not hold.
func (s *Server) block(slot uint64) (store.Record, *Error) {
	// The store's head, not the bank's: a transaction's record and its
	// block are committed together, a moment before the bank advances.
	if h, ok := s.be.Store().Head(); !ok || slot > h.Height {
		return store.Record{}, &Error{Code: CodeBlockNotAvailable, Message: fmt.Sprintf("Block not available for slot %d", slot)}
	}
	r, err := s.be.Store().Block(slot)
	if err != nil {
		return store.Record{}, internal(err)
	}
	return r, nil
}

// maxBlockRange is the most slots getBlocks spans (Agave's 500,000).
const maxBlockRange = 500_000

// getBlocks lists the committed blocks from start to end (the head by
// default): every slot holds a block on a single node.
func (s *Server) getBlocks(p params) (any, *Error) {
	var start uint64
	if _, e := p.get(0, &start, false); e != nil {
		return nil, e
	}
	head := s.head().Height
	end := head
	var endArg *uint64
	var c commitmentConfig
	if len(p) > 1 && len(bytes.TrimSpace(p[1])) > 0 && p[1][0] == '{' {
		if _, e := p.get(1, &c, true); e != nil {
			return nil, e
		}
	} else {
		if _, e := p.get(1, &endArg, true); e != nil {
			return nil, e
		}
		if _, e := p.get(2, &c, true); e != nil {
			return nil, e
		}
	}
	if e := checkCommitment(c.Commitment); e != nil {
		return nil, e
	}
	if endArg != nil {
		end = min(*endArg, head)
	}
	if endArg != nil && *endArg >= start && *endArg-start > maxBlockRange {
		return nil, errInvalidParams("Slot range too large; max %d", maxBlockRange)
	}
	return slotRange(start, end), nil
}

func slotRange(start, end uint64) []uint64 {
	out := []uint64{}
	for h := start; h <= end && len(out) <= maxBlockRange; h++ {
		out = append(out, h)
	}
	return out
}

func (s *Server) getBlocksWithLimit(p params) (any, *Error) {
	var start, limit uint64
	if _, e := p.get(0, &start, false); e != nil {
		return nil, e
	}
	if _, e := p.get(1, &limit, false); e != nil {
		return nil, e
	}
	if limit > maxBlockRange {
		return nil, errInvalidParams("Limit too large; max %d", maxBlockRange)
	}
	var c commitmentConfig
	if _, e := p.get(2, &c, true); e != nil {
		return nil, e
	}
	if e := checkCommitment(c.Commitment); e != nil {
		return nil, e
	}
	if limit == 0 {
		return []uint64{}, nil
	}
	return slotRange(start, min(s.head().Height, start+limit-1)), nil
}

func (s *Server) getBlockTime(p params) (any, *Error) {
	var slot uint64
	if _, e := p.get(0, &slot, false); e != nil {
		return nil, e
	}
	r, e := s.block(slot)
	if e != nil {
		return nil, e
	}
	return r.Header.Timestamp, nil
}

// ErrNoFaucet is requestAirdrop on a server without a faucet key.
var ErrNoFaucet = errors.New("node: no faucet key")

func (s *Server) requestAirdrop(p params) (any, *Error) {
	k, e := s.pubkeyParam(p, 0)
	if e != nil {
		return nil, e
	}
	var lamports uint64
	if _, e := p.get(1, &lamports, false); e != nil {
		return nil, e
	}
	var c commitmentConfig
	if _, e := p.get(2, &c, true); e != nil {
		return nil, e
	}
	if e := checkCommitment(c.Commitment); e != nil {
		return nil, e
	}
	if s.cfg.Faucet == nil {
		return nil, &Error{Code: CodeInvalidRequest, Message: "Invalid request: this node has no faucet"}
	}
	tx, err := airdropTx(s.cfg.Faucet, k, lamports, s.be.Bank().LatestBlockhash(), s.airdrops.Add(1))
	if err != nil {
		return nil, &Error{Code: CodeInvalidRequest, Message: "airdrop request failed: " + err.Error()}
	}
	if e := s.submit(tx, false); e != nil {
		return nil, e
	}
	return tx.ID().String(), nil
}

// Committed transactions referenced by signature: a record and its block.
func (s *Server) record(sig txn.Signature) (*store.TxRecord, *Error) {
	rec, err := s.be.Store().Transaction(sig)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, internal(err)
	}
	return &rec, nil
}

// MaxSignatureStatuses is the most signatures getSignatureStatuses takes.
const MaxSignatureStatuses = 256

func (s *Server) getSignatureStatuses(p params) (any, *Error) {
	var sigs []string
	if _, e := p.get(0, &sigs, false); e != nil {
		return nil, e
	}
	if len(sigs) > MaxSignatureStatuses {
		return nil, errInvalidParams("Too many inputs provided; max %d", MaxSignatureStatuses)
	}
	var c struct {
		SearchTransactionHistory bool `json:"searchTransactionHistory"`
	}
	if _, e := p.get(1, &c, true); e != nil {
		return nil, e
	}
	head := s.head().Height
	out := make([]any, len(sigs))
	for i, ss := range sigs {
		sig, e := decodeSignature(ss)
		if e != nil {
			return nil, e
		}
		rec, e := s.record(sig)
		if e != nil {
			return nil, e
		}
		if rec == nil {
			continue
		}
		out[i] = map[string]any{"slot": rec.Slot, "confirmations": nil, "err": txErrorJSON(rec.Err),
			"status": statusJSON(rec.Err), "confirmationStatus": "finalized"}
	}
	return s.context(head, out), nil
}

// loadedOf splits a committed v0 transaction's recorded keys (static,
// then loaded writable, then loaded read-only) back into its loaded
// addresses.
func loadedOf(rec *store.TxRecord, m *txn.Message) txn.LoadedAddresses {
	w, _ := m.LookupIndexes()
	n := len(m.AccountKeys)
	if len(rec.Accounts) < n+w {
		return txn.LoadedAddresses{}
	}
	return txn.LoadedAddresses{Writable: rec.Accounts[n : n+w], Readonly: rec.Accounts[n+w:]}
}

func keyStrings(ks []pubkey.Pubkey) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.String()
	}
	return out
}

// metaJSON is a committed transaction's meta; jsonParsed renders the
// inner instructions partially decoded and leaves out loadedAddresses
// (its account keys say which were loaded), as Agave does.
func metaJSON(rec *store.TxRecord, loaded txn.LoadedAddresses, enc string) map[string]any {
	parsed := enc == txJSONParsed
	m := map[string]any{
		"err": txErrorJSON(rec.Err), "status": statusJSON(rec.Err), "fee": rec.Fee,
		"preBalances": nonNil(rec.PreBalances), "postBalances": nonNil(rec.PostBalances),
		"logMessages": nonNilStr(rec.Logs), "innerInstructions": innerJSON(rec.Inner, rec.Accounts, parsed),
		"preTokenBalances": tokenBalancesJSON(rec.PreTokenBalances), "postTokenBalances": tokenBalancesJSON(rec.PostTokenBalances),
		"rewards": []any{}, "computeUnitsConsumed": rec.CU,
	}
	if !parsed {
		m["loadedAddresses"] = map[string]any{"writable": keyStrings(loaded.Writable), "readonly": keyStrings(loaded.Readonly)}
	}
	if rd := returnDataJSON(rec.ReturnProgram, rec.ReturnData); rd != nil {
		m["returnData"] = rd
	}
	return m
}

// accountsJSON is a transaction in getBlock's "accounts" details, as
// Agave renders it: the signatures and the account keys with their roles,
// and a meta of the outcome and the balances only (with rewards when
// shown).
func accountsJSON(rec *store.TxRecord, tx *txn.Transaction, loaded txn.LoadedAddresses, rewards bool) map[string]any {
	sigs := make([]string, len(tx.Signatures))
	for i, sg := range tx.Signatures {
		sigs[i] = sg.String()
	}
	meta := map[string]any{
		"err": txErrorJSON(rec.Err), "status": statusJSON(rec.Err), "fee": rec.Fee,
		"preBalances": nonNil(rec.PreBalances), "postBalances": nonNil(rec.PostBalances),
		"preTokenBalances": tokenBalancesJSON(rec.PreTokenBalances), "postTokenBalances": tokenBalancesJSON(rec.PostTokenBalances),
	}
	if rewards {
		meta["rewards"] = []any{}
	}
	return map[string]any{"transaction": map[string]any{"signatures": sigs, "accountKeys": parsedKeys(&tx.Message, loaded)}, "meta": meta}
}

func nonNil(v []uint64) []uint64 {
	if v == nil {
		return []uint64{}
	}
	return v
}

func nonNilStr(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// txConfig is getTransaction's and getBlock's config.
type txConfig struct {
	Commitment                     string  `json:"commitment"`
	Encoding                       string  `json:"encoding"`
	MaxSupportedTransactionVersion *uint8  `json:"maxSupportedTransactionVersion"`
	TransactionDetails             string  `json:"transactionDetails"`
	Rewards                        *bool   `json:"rewards"`
	MinContextSlot                 *uint64 `json:"minContextSlot"`
}

func (c *txConfig) check() *Error {
	if e := checkCommitment(c.Commitment); e != nil {
		return e
	}
	if c.Commitment == "processed" {
		return errInvalidParams("Method does not support commitment below `confirmed`")
	}
	return checkTxEncoding(c.Encoding)
}

// txJSONOf renders a committed transaction with its meta.
func (s *Server) txJSONOf(rec *store.TxRecord, c *txConfig, blockTime int64, withSlot bool) (map[string]any, *Error) {
	tx, err := txn.Decode(rec.Transaction)
	if err != nil {
		return nil, internal(fmt.Errorf("stored transaction %s: %w", txn.Signature(rec.Signature), err))
	}
	if tx.Message.Version == txn.V0 && c.MaxSupportedTransactionVersion == nil {
		return nil, &Error{Code: CodeUnsupportedTransactionVersion, Message: "Transaction version (0) is not supported by the requesting client. " +
			"Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": 0"}
	}
	loaded := loadedOf(rec, &tx.Message)
	var out map[string]any
	if c.TransactionDetails == "accounts" {
		out = accountsJSON(rec, tx, loaded, c.Rewards == nil || *c.Rewards)
	} else {
		out = map[string]any{"transaction": encodeTransaction(rec.Transaction, tx, c.Encoding, loaded), "meta": metaJSON(rec, loaded, c.Encoding)}
	}
	if c.MaxSupportedTransactionVersion != nil {
		if tx.Message.Version == txn.V0 {
			out["version"] = 0
		} else {
			out["version"] = "legacy"
		}
	}
	if withSlot {
		out["slot"] = rec.Slot
		out["blockTime"] = blockTime
	}
	return out, nil
}

func (s *Server) getTransaction(p params) (any, *Error) {
	var ss string
	if _, e := p.get(0, &ss, false); e != nil {
		return nil, e
	}
	sig, e := decodeSignature(ss)
	if e != nil {
		return nil, e
	}
	c, e := txConfigParam(p, 1)
	if e != nil {
		return nil, e
	}
	rec, e := s.record(sig)
	if e != nil || rec == nil {
		return nil, e
	}
	r, e := s.block(rec.Slot)
	if e != nil {
		return nil, e
	}
	v, e := s.txJSONOf(rec, &c, r.Header.Timestamp, true)
	if e != nil {
		return nil, e
	}
	return v, nil
}

// MaxSignaturesForAddress is getSignaturesForAddress's largest limit.
const MaxSignaturesForAddress = 1000

func (s *Server) getSignaturesForAddress(p params) (any, *Error) {
	k, e := s.pubkeyParam(p, 0)
	if e != nil {
		return nil, e
	}
	var c struct {
		commitmentConfig
		Limit  *int   `json:"limit"`
		Before string `json:"before"`
		Until  string `json:"until"`
	}
	if _, e := p.get(1, &c, true); e != nil {
		return nil, e
	}
	if e := c.check(s.head().Height); e != nil {
		return nil, e
	}
	limit := MaxSignaturesForAddress
	if c.Limit != nil {
		if *c.Limit < 1 || *c.Limit > MaxSignaturesForAddress {
			return nil, errInvalidParams("Invalid limit; max %d", MaxSignaturesForAddress)
		}
		limit = *c.Limit
	}
	var before *[64]byte
	if c.Before != "" {
		b, e := decodeSignature(c.Before)
		if e != nil {
			return nil, e
		}
		bb := [64]byte(b)
		before = &bb
		if rec, e := s.record(b); e != nil || rec == nil {
			return []any{}, e
		}
	}
	var until *txn.Signature
	if c.Until != "" {
		u, e := decodeSignature(c.Until)
		if e != nil {
			return nil, e
		}
		until = &u
	}
	refs, err := s.be.Store().SignaturesForAddress(k, before, limit)
	if err != nil {
		return nil, internal(err)
	}
	out := []any{}
	times := map[uint64]int64{}
	for _, ref := range refs {
		if until != nil && txn.Signature(ref.Signature) == *until {
			break
		}
		rec, e := s.record(ref.Signature)
		if e != nil {
			return nil, e
		}
		errJSON := any(nil)
		if rec != nil {
			errJSON = txErrorJSON(rec.Err)
		}
		bt, ok := times[ref.Slot]
		if !ok {
			if r, err := s.be.Store().Block(ref.Slot); err == nil {
				bt = r.Header.Timestamp
			}
			times[ref.Slot] = bt
		}
		out = append(out, map[string]any{"signature": txn.Signature(ref.Signature).String(), "slot": ref.Slot, "err": errJSON,
			"memo": nil, "blockTime": bt, "confirmationStatus": "finalized"})
	}
	return out, nil
}

func (s *Server) getBlock(p params) (any, *Error) {
	var slot uint64
	if _, e := p.get(0, &slot, false); e != nil {
		return nil, e
	}
	c, e := txConfigParam(p, 1)
	if e != nil {
		return nil, e
	}
	switch c.TransactionDetails {
	case "", "full", "signatures", "none", "accounts":
	default:
		return nil, errInvalidParams("Invalid params: unknown variant `%s`, expected one of `full`, `signatures`, `none`, `accounts`", c.TransactionDetails)
	}
	r, e := s.block(slot)
	if e != nil {
		return nil, e
	}
	parent := slot
	if slot > 0 {
		parent = slot - 1
	}
	out := map[string]any{"blockhash": txn.Hash(r.Header.Hash).String(), "previousBlockhash": txn.Hash(r.Header.Parent).String(),
		"parentSlot": parent, "blockHeight": r.Header.Height, "blockTime": r.Header.Timestamp}
	if slot == 0 {
		out["previousBlockhash"] = txn.Hash(r.Header.Hash).String()
	}
	if c.Rewards == nil || *c.Rewards {
		out["rewards"] = []any{}
	}
	switch c.TransactionDetails {
	case "signatures":
		sigs := make([]string, len(r.Signatures))
		for i, sg := range r.Signatures {
			sigs[i] = txn.Signature(sg).String()
		}
		out["signatures"] = sigs
	case "none":
	default:
		txs := []any{}
		for _, sg := range r.Signatures {
			rec, e := s.record(sg)
			if e != nil {
				return nil, e
			}
			if rec == nil {
				continue
			}
			v, e := s.txJSONOf(rec, &c, 0, false)
			if e != nil {
				return nil, e
			}
			txs = append(txs, v)
		}
		out["transactions"] = txs
	}
	return out, nil
}

// readAccountOrZero reads an account for the token methods.
func (s *Server) readAccountOrZero(k pubkey.Pubkey) (account.Account, *Error) {
	a, err := s.be.Store().Account(k)
	if err != nil {
		return account.Account{}, internal(err)
	}
	return a, nil
}

// submit checks tx and hands it to the backend: the path of
// sendTransaction and requestAirdrop.
func (s *Server) submit(tx *txn.Transaction, skipPreflight bool) *Error {
	reject := func(reason string, e *Error) *Error {
		s.metrics.rpcRejected.WithLabelValues(reason).Inc()
		return e
	}
	if te := svm.Check(tx); te != nil {
		if te.Kind == svm.SignatureFailure {
			return reject("signature", &Error{Code: CodeSignatureVerificationFailure, Message: "Transaction signature verification failure"})
		}
		return reject("sanitize", errInvalidParams("invalid transaction: %s", te.Error()))
	}
	rec, e := s.record(tx.ID())
	if e != nil {
		return e
	}
	if rec != nil {
		return reject("duplicate", s.preflightError(&bank.Simulation{Result: &svm.Result{Err: &svm.TransactionError{Kind: svm.AlreadyProcessed}}}))
	}
	if skipPreflight {
		if te := s.be.Bank().Admissible(tx); te != nil {
			return reject("admission", s.preflightError(&bank.Simulation{Result: &svm.Result{Err: te}}))
		}
	} else {
		sim, err := s.be.Bank().Simulate(tx, false) // the signatures are verified above
		if err != nil {
			return internal(err)
		}
		if sim.Err != nil {
			return reject("preflight", s.preflightError(sim))
		}
	}
	if err := s.be.Submit(tx); err != nil {
		if errors.Is(err, ErrMempoolFull) {
			return reject("mempool_full", &Error{Code: CodeServerError, Message: err.Error()})
		}
		return reject("backend", &Error{Code: CodeServerError, Message: "transaction not queued: " + err.Error()})
	}
	return nil
}

// preflightError is -32002 with the simulation as data.
func (s *Server) preflightError(sim *bank.Simulation) *Error {
	return &Error{Code: CodeSendTransactionPreflightFailure, Message: "Transaction simulation failed: " + txErrorDisplay(sim.Err),
		Data: simulationJSON(sim, nil, nil, nil)}
}

// txErrorDisplay is Agave's Display text of a transaction error, without
// Agora's detail.
func txErrorDisplay(e *svm.TransactionError) string {
	c := *e
	c.Detail = ""
	return c.Error()
}
