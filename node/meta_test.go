package node

import (
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/mr-tron/base58"

	"github.com/agora-vm/agora/internal/testutil"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/token"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm/bank"
)

// collectProgram is where the tests deploy testdata/c/cpicollect.so,
// which moves lamports from each payer to a payee with one System
// transfer CPI per payer.
var collectProgram = pubkey.Pubkey{0xcc, 0x01}

func deployCollect(t testing.TB, b *bank.Bank) {
	t.Helper()
	elf, err := os.ReadFile("../testdata/c/cpicollect.so")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Deploy(collectProgram, elf, nil, b.Head().Timestamp+1); err != nil {
		t.Fatal(err)
	}
}

// collectTx has payer pay amount to payee through cpicollect (one CPI),
// then transfers 1 lamport to the bob (no CPI).
func collectTx(t testing.TB, b *bank.Bank, payer ed25519.PrivateKey, payee, bob pubkey.Pubkey, amount uint64) *txn.Transaction {
	t.Helper()
	from := txn.PubkeyOf(payer)
	ixs := []txn.Instruction{
		{ProgramID: collectProgram, Data: binary.LittleEndian.AppendUint64(nil, amount), Accounts: []txn.AccountMeta{
			{Pubkey: from, IsSigner: true, IsWritable: true}, {Pubkey: payee, IsWritable: true}, {Pubkey: pubkey.SystemProgram()}}},
		{ProgramID: pubkey.SystemProgram(), Data: binary.LittleEndian.AppendUint64([]byte{2, 0, 0, 0}, 1), Accounts: []txn.AccountMeta{
			{Pubkey: from, IsSigner: true, IsWritable: true}, {Pubkey: bob, IsWritable: true}}},
	}
	m, err := txn.Compile(from, ixs, b.LatestBlockhash())
	if err != nil {
		t.Fatal(err)
	}
	tx, err := txn.Sign(m, payer)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func index(keys []pubkey.Pubkey, k pubkey.Pubkey) int {
	for i, x := range keys {
		if x == k {
			return i
		}
	}
	return -1
}

func jsonValue(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return v
}

// TestTransactionMeta: getTransaction in every encoding and getBlock
// report the inner instructions a CPI made (Agave's shapes: compiled
// in json, base58 and base64, partially decoded in jsonParsed, only the
// top-level instructions that invoked something) and the SPL Token
// balances of the transaction's token accounts before and after;
// simulateTransaction reports the inner instructions when asked.
func TestTransactionMeta(t *testing.T) {
	e := newEnv(t, Config{})
	deployCollect(t, e.bank)
	alice := txn.PubkeyOf(e.alice)
	tx := collectTx(t, e.bank, e.alice, testTokenA, e.bob, 1000)
	keys := tx.Message.AccountKeys
	iAlice, iTok, iSys := index(keys, alice), index(keys, testTokenA), index(keys, pubkey.SystemProgram())
	data := base58.Encode(binary.LittleEndian.AppendUint64([]byte{2, 0, 0, 0}, 1000))

	// Simulated first: the inner instructions, parsed, when asked.
	var sim withContext[map[string]any]
	e.ok(&sim, "simulateTransaction", b64(tx), map[string]any{"encoding": "base64", "innerInstructions": true})
	wantParsed := jsonValue(t, `[{"index":0,"instructions":[{"program":"system","programId":"11111111111111111111111111111111","parsed":{"type":"transfer","info":{"source":"`+
		alice.String()+`","destination":"`+testTokenA.String()+`","lamports":1000}},"stackHeight":2}]}]`)
	if sim.Value["err"] != nil || !reflect.DeepEqual(sim.Value["innerInstructions"], wantParsed) {
		t.Fatalf("simulated inner instructions: %s", jsonOf(sim.Value["innerInstructions"]))
	}
	e.ok(&sim, "simulateTransaction", b64(tx), map[string]any{"encoding": "base64"})
	if sim.Value["innerInstructions"] != nil {
		t.Fatalf("inner instructions not asked for: %s", jsonOf(sim.Value["innerInstructions"]))
	}

	e.ok(nil, "sendTransaction", b64(tx), map[string]any{"encoding": "base64"})
	blk := e.produce()
	if blk.Txs[0].Err != nil {
		t.Fatal(blk.Txs[0].Err)
	}
	wantCompiled := jsonValue(t, `[{"index":0,"instructions":[{"programIdIndex":`+jsonOf(iSys)+`,"accounts":[`+jsonOf(iAlice)+`,`+jsonOf(iTok)+`],"data":"`+data+`","stackHeight":2}]}]`)
	balance := func(amount, ui string) any {
		return jsonValue(t, `[{"accountIndex":`+jsonOf(iTok)+`,"mint":"`+testMint.String()+`","owner":"`+alice.String()+`","programId":"`+token.Program.String()+
			`","uiTokenAmount":{"amount":"`+amount+`","decimals":6,"uiAmount":`+ui+`,"uiAmountString":"`+ui+`"}}]`)
	}
	for _, c := range []struct {
		enc    string
		inner  any
		loaded bool
	}{
		{"json", wantCompiled, true},
		{"base58", wantCompiled, true},
		{"base64", wantCompiled, true},
		{"jsonParsed", wantParsed, false},
	} {
		var got struct {
			Meta map[string]any `json:"meta"`
		}
		e.ok(&got, "getTransaction", tx.ID().String(), map[string]any{"encoding": c.enc})
		if !reflect.DeepEqual(got.Meta["innerInstructions"], c.inner) {
			t.Errorf("%s: innerInstructions %s", c.enc, jsonOf(got.Meta["innerInstructions"]))
		}
		if want := balance("1500000", "1.5"); !reflect.DeepEqual(got.Meta["preTokenBalances"], want) || !reflect.DeepEqual(got.Meta["postTokenBalances"], want) {
			t.Errorf("%s: token balances %s -> %s", c.enc, jsonOf(got.Meta["preTokenBalances"]), jsonOf(got.Meta["postTokenBalances"]))
		}
		if _, ok := got.Meta["loadedAddresses"]; ok != c.loaded {
			t.Errorf("%s: loadedAddresses present %v", c.enc, ok)
		}
	}
	var block struct {
		Transactions []struct {
			Meta map[string]any `json:"meta"`
		} `json:"transactions"`
	}
	e.ok(&block, "getBlock", blk.Header.Height, map[string]any{"transactionDetails": "full"})
	if len(block.Transactions) != 1 || !reflect.DeepEqual(block.Transactions[0].Meta["innerInstructions"], wantCompiled) ||
		!reflect.DeepEqual(block.Transactions[0].Meta["postTokenBalances"], balance("1500000", "1.5")) {
		t.Fatalf("getBlock: %s", jsonOf(block))
	}
	// transactionDetails "accounts": the keys with their roles, and a meta
	// of the outcome and balances only.
	var accts struct {
		Transactions []struct {
			Transaction struct {
				Signatures  []string         `json:"signatures"`
				AccountKeys []map[string]any `json:"accountKeys"`
			} `json:"transaction"`
			Meta map[string]any `json:"meta"`
		} `json:"transactions"`
	}
	e.ok(&accts, "getBlock", blk.Header.Height, map[string]any{"transactionDetails": "accounts", "rewards": false})
	if len(accts.Transactions) != 1 {
		t.Fatalf("accounts: %s", jsonOf(accts))
	}
	at := accts.Transactions[0]
	if at.Transaction.Signatures[0] != tx.ID().String() || len(at.Transaction.AccountKeys) != len(keys) ||
		at.Transaction.AccountKeys[iTok]["pubkey"] != testTokenA.String() || at.Transaction.AccountKeys[iTok]["writable"] != true {
		t.Fatalf("accounts: %s", jsonOf(at.Transaction))
	}
	var metaKeys []string
	for k := range at.Meta {
		metaKeys = append(metaKeys, k)
	}
	slices.Sort(metaKeys)
	if !slices.Equal(metaKeys, []string{"err", "fee", "postBalances", "postTokenBalances", "preBalances", "preTokenBalances", "status"}) ||
		!reflect.DeepEqual(at.Meta["preTokenBalances"], balance("1500000", "1.5")) {
		t.Fatalf("accounts meta: %s", jsonOf(at.Meta))
	}
}

// TestMetaJSONShapes: the meta of records with and without what
// version 2 records hold: absent is null (a record from before), empty
// lists are [] for token balances and leave innerInstructions [].
func TestMetaJSONShapes(t *testing.T) {
	keys := []pubkey.Pubkey{{1}, {2}, pubkey.SystemProgram(), {4}}
	inner := [][]store.InnerInstruction{{}, {{ProgramIDIndex: 2, Accounts: []uint8{0, 3}, Data: []byte{1, 2, 3}, StackHeight: 2}, {ProgramIDIndex: 2, Accounts: []uint8{1}, StackHeight: 3}}}
	bal := []store.TokenBalance{{AccountIndex: 3, Mint: pubkey.Pubkey{9}, Owner: pubkey.Pubkey{1}, ProgramID: token.Program2022, Amount: 5, Decimals: 0}}
	for _, c := range []struct {
		name    string
		rec     store.TxRecord
		enc     string
		inner   string
		balance string
	}{
		{"version 1", store.TxRecord{Accounts: keys}, "json", `null`, `null`},
		{"version 1 parsed", store.TxRecord{Accounts: keys}, "jsonParsed", `null`, `null`},
		{"nothing invoked", store.TxRecord{Accounts: keys, Inner: [][]store.InnerInstruction{{}, {}}, PreTokenBalances: []store.TokenBalance{}, PostTokenBalances: []store.TokenBalance{}}, "json", `[]`, `[]`},
		{"compiled", store.TxRecord{Accounts: keys, Inner: inner, PreTokenBalances: bal, PostTokenBalances: bal}, "json",
			`[{"index":1,"instructions":[{"programIdIndex":2,"accounts":[0,3],"data":"Ldp","stackHeight":2},{"programIdIndex":2,"accounts":[1],"data":"","stackHeight":3}]}]`,
			`[{"accountIndex":3,"mint":"` + pubkey.Pubkey{9}.String() + `","owner":"` + pubkey.Pubkey{1}.String() + `","programId":"` + token.Program2022.String() + `","uiTokenAmount":{"amount":"5","decimals":0,"uiAmount":5,"uiAmountString":"5"}}]`},
		{"parsed", store.TxRecord{Accounts: keys, Inner: inner}, "jsonParsed",
			`[{"index":1,"instructions":[{"programId":"11111111111111111111111111111111","accounts":["` + keys[0].String() + `","` + keys[3].String() + `"],"data":"Ldp","stackHeight":2},{"programId":"11111111111111111111111111111111","accounts":["` + keys[1].String() + `"],"data":"","stackHeight":3}]}]`,
			`null`},
	} {
		m := metaJSON(&c.rec, txn.LoadedAddresses{}, c.enc)
		if got := jsonOf(m["innerInstructions"]); !reflect.DeepEqual(jsonValue(t, got), jsonValue(t, c.inner)) {
			t.Errorf("%s: innerInstructions %s, want %s", c.name, got, c.inner)
		}
		for _, k := range []string{"preTokenBalances", "postTokenBalances"} {
			if got := jsonOf(m[k]); !reflect.DeepEqual(jsonValue(t, got), jsonValue(t, c.balance)) {
				t.Errorf("%s: %s %s, want %s", c.name, k, got, c.balance)
			}
		}
	}
}

// TestRestartKeepsMeta: the inner instructions and token balances are in
// the stored records, read back after a restart.
func TestRestartKeepsMeta(t *testing.T) {
	dir := t.TempDir()
	st, faucet, _, err := OpenDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bank.Open(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	deployCollect(t, b)
	n := New(st, b, Config{Lanes: 1})
	payee := pubkey.Pubkey{4, 2}
	tx := collectTx(t, b, faucet, payee, payee, 5_000_000)
	if err := n.Submit(tx); err != nil {
		t.Fatal(err)
	}
	if r, err := n.Produce(); err != nil || r.Txs[0].Err != nil {
		t.Fatal(err, r.Txs[0].Err)
	}
	st.Close()

	st, _, _, err = OpenDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, _ = bank.Open(st, nil)
	srv := NewServer(New(st, b, Config{}), ServerConfig{})
	var r rpcReply
	json.Unmarshal(srv.HandleBody([]byte(`{"jsonrpc":"2.0","id":1,"method":"getTransaction","params":["`+tx.ID().String()+`"]}`)), &r)
	var got struct {
		Meta struct {
			Inner []struct {
				Index        int `json:"index"`
				Instructions []struct {
					ProgramIDIndex int    `json:"programIdIndex"`
					Accounts       []int  `json:"accounts"`
					StackHeight    int    `json:"stackHeight"`
					Data           string `json:"data"`
				} `json:"instructions"`
			} `json:"innerInstructions"`
			Pre  []any `json:"preTokenBalances"`
			Post []any `json:"postTokenBalances"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(r.Result, &got); err != nil {
		t.Fatal(err)
	}
	keys := tx.Message.AccountKeys
	in := got.Meta.Inner
	if len(in) != 1 || in[0].Index != 0 || len(in[0].Instructions) != 1 || in[0].Instructions[0].StackHeight != 2 ||
		in[0].Instructions[0].ProgramIDIndex != index(keys, pubkey.SystemProgram()) || in[0].Instructions[0].Accounts[1] != index(keys, payee) ||
		got.Meta.Pre == nil || got.Meta.Post == nil {
		t.Fatalf("after restart: %s", r.Result)
	}
}

// TestTokenBalancesSPLLocal runs a transfer on the mainnet SPL Token
// binary (testutil.SPLToken; never committed) and checks the balances getTransaction reports; CI runs
// the same check through web3.js in node/e2e on the binary LiteSVM ships.
func TestTokenBalancesSPLLocal(t *testing.T) {
	elf := testutil.SPLToken(t)
	e := newEnv(t, Config{})
	if _, err := e.bank.Deploy(token.Program, elf, nil, e.bank.Head().Timestamp+1); err != nil {
		t.Fatal(err)
	}
	alice := txn.PubkeyOf(e.alice)
	ix := txn.Instruction{ProgramID: token.Program, Data: binary.LittleEndian.AppendUint64([]byte{3}, 250_000), Accounts: []txn.AccountMeta{
		{Pubkey: testTokenA, IsWritable: true}, {Pubkey: testTokenC, IsWritable: true}, {Pubkey: alice, IsSigner: true}}}
	m, err := txn.Compile(alice, []txn.Instruction{ix}, e.bank.LatestBlockhash())
	if err != nil {
		t.Fatal(err)
	}
	tx, err := txn.Sign(m, e.alice)
	if err != nil {
		t.Fatal(err)
	}
	e.ok(nil, "sendTransaction", b64(tx), map[string]any{"encoding": "base64"})
	if r := e.produce(); r.Txs[0].Err != nil {
		t.Fatalf("%v %v", r.Txs[0].Err, r.Txs[0].Logs)
	}
	var got struct {
		Meta struct {
			Pre  []uiTokenBalance `json:"preTokenBalances"`
			Post []uiTokenBalance `json:"postTokenBalances"`
		} `json:"meta"`
	}
	e.ok(&got, "getTransaction", tx.ID().String(), map[string]any{"encoding": "jsonParsed"})
	amounts := func(bs []uiTokenBalance) map[string]string {
		out := map[string]string{}
		for _, b := range bs {
			out[m.AccountKeys[b.AccountIndex].String()+" "+b.Owner] = b.UITokenAmount.UIAmountString
		}
		return out
	}
	a, c := testTokenA.String()+" "+alice.String(), testTokenC.String()+" "+e.bob.String()
	if pre := amounts(got.Meta.Pre); !reflect.DeepEqual(pre, map[string]string{a: "1.5", c: "0.000007"}) {
		t.Fatalf("pre %v", pre)
	}
	if post := amounts(got.Meta.Post); !reflect.DeepEqual(post, map[string]string{a: "1.25", c: "0.250007"}) {
		t.Fatalf("post %v", post)
	}
}
