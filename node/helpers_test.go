package node

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/token"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm/bank"
)

// env is a node over an in-memory chain with an RPC server; blocks are
// produced by the test (Produce), never by a timer.
type env struct {
	t      testing.TB
	st     *store.Store
	bank   *bank.Bank
	node   *Node
	srv    *Server
	http   *httptest.Server
	faucet ed25519.PrivateKey
	alice  ed25519.PrivateKey
	bob    pubkey.Pubkey
	log    *bytes.Buffer
}

func key(seed byte) ed25519.PrivateKey { return bank.NewKeypair(bytes.Repeat([]byte{seed}, 32)) }

// Token fixtures: a mint with 6 decimals and two token accounts of
// alice's, one of another owner's.
var (
	testMint   = pubkey.Pubkey{0xa1}
	testTokenA = pubkey.Pubkey{0xa2}
	testTokenB = pubkey.Pubkey{0xa3}
	testTokenC = pubkey.Pubkey{0xff, 0x01} // a key whose first byte is 0xff
)

func mintData(decimals uint8, supply uint64) []byte {
	d := make([]byte, token.MintSize)
	binary.LittleEndian.PutUint64(d[36:], supply)
	d[44], d[45] = decimals, 1
	return d
}

func tokenData(mint, owner pubkey.Pubkey, amount uint64) []byte {
	d := make([]byte, token.AccountSize)
	copy(d[0:], mint[:])
	copy(d[32:], owner[:])
	binary.LittleEndian.PutUint64(d[64:], amount)
	d[108] = 1
	return d
}

func newEnv(t testing.TB, cfg Config) *env {
	t.Helper()
	e := &env{t: t, st: store.NewMem(), faucet: key(1), alice: key(2), bob: pubkey.Pubkey{0xb0, 0xb}, log: &bytes.Buffer{}}
	alice := txn.PubkeyOf(e.alice)
	tok := func(k pubkey.Pubkey, data []byte) bank.GenesisAccount {
		return bank.GenesisAccount{Key: k, Account: account.Account{Lamports: 2_039_280, Owner: token.Program, Data: data}}
	}
	_, err := bank.Genesis(e.st, nil, 1_700_000_000, []bank.GenesisAccount{
		{Key: txn.PubkeyOf(e.faucet), Account: account.Account{Lamports: GenesisLamports}},
		{Key: alice, Account: account.Account{Lamports: 10_000_000_000}},
		{Key: e.bob, Account: account.Account{Lamports: 1_000_000_000}},
		{Key: testMint, Account: account.Account{Lamports: 1_461_600, Owner: token.Program, Data: mintData(6, 3_000_000)}},
		tok(testTokenA, tokenData(testMint, alice, 1_500_000)),
		tok(testTokenB, tokenData(testMint, alice, 250)),
		tok(testTokenC, tokenData(testMint, e.bob, 7)),
	})
	if err != nil {
		t.Fatal(err)
	}
	e.bank, err = bank.Open(e.st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Lanes == 0 {
		cfg.Lanes = 1
	}
	e.node = New(e.st, e.bank, cfg)
	e.srv = NewServer(e.node, ServerConfig{Faucet: e.faucet, Log: e.log})
	e.node.SetServer(e.srv)
	mux := http.NewServeMux()
	mux.Handle("/ws", e.srv.WSHandler())
	mux.Handle("/", e.srv.Handler())
	e.http = httptest.NewServer(mux)
	t.Cleanup(func() {
		e.http.Close()
		if e.log.Len() > 0 {
			t.Errorf("server log: %s", e.log)
		}
	})
	return e
}

// produce commits one block.
func (e *env) produce() *bank.BlockResult {
	e.t.Helper()
	r, err := e.node.Produce()
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// post sends a raw body and returns the status and body.
func (e *env) post(body string) (int, []byte) {
	e.t.Helper()
	resp, err := http.Post(e.http.URL, "application/json", bytes.NewBufferString(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

// rpcReply is a decoded response.
type rpcReply struct {
	Result json.RawMessage `json:"result"`
	Error  *Error          `json:"error"`
	ID     json.RawMessage `json:"id"`
}

// call invokes a method and returns its result or error.
func (e *env) call(method string, params ...any) (json.RawMessage, *Error) {
	e.t.Helper()
	if params == nil {
		params = []any{}
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 7, "method": method, "params": params})
	_, out := e.post(string(b))
	var r rpcReply
	if err := json.Unmarshal(out, &r); err != nil {
		e.t.Fatalf("%s: %v: %s", method, err, out)
	}
	if string(r.ID) != "7" {
		e.t.Fatalf("%s: id %s", method, r.ID)
	}
	return r.Result, r.Error
}

// ok calls a method that must succeed and decodes its result into v.
func (e *env) ok(v any, method string, params ...any) {
	e.t.Helper()
	res, rerr := e.call(method, params...)
	if rerr != nil {
		e.t.Fatalf("%s: %v", method, rerr)
	}
	if v != nil {
		if err := json.Unmarshal(res, v); err != nil {
			e.t.Fatalf("%s: %v: %s", method, err, res)
		}
	}
}

// fails calls a method that must fail with code.
func (e *env) fails(code int, method string, params ...any) *Error {
	e.t.Helper()
	res, rerr := e.call(method, params...)
	if rerr == nil {
		e.t.Fatalf("%s: want error %d, got %s", method, code, res)
	}
	if rerr.Code != code {
		e.t.Fatalf("%s: want error %d, got %d %q", method, code, rerr.Code, rerr.Message)
	}
	return rerr
}

// transfer signs a transfer from alice (or from) with the head's hash.
func (e *env) transfer(from ed25519.PrivateKey, to pubkey.Pubkey, lamports uint64, extra ...txn.Instruction) *txn.Transaction {
	e.t.Helper()
	ixs := append(extra, system.Transfer(txn.PubkeyOf(from), to, lamports))
	m, err := txn.Compile(txn.PubkeyOf(from), ixs, e.bank.LatestBlockhash())
	if err != nil {
		e.t.Fatal(err)
	}
	tx, err := txn.Sign(m, from)
	if err != nil {
		e.t.Fatal(err)
	}
	return tx
}

func b64(tx *txn.Transaction) string { return base64.StdEncoding.EncodeToString(tx.Encode()) }

// withContext decodes {"context":{"slot"},"value":...}.
type withContext[T any] struct {
	Context struct {
		Slot uint64 `json:"slot"`
	} `json:"context"`
	Value T `json:"value"`
}
