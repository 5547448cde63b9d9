package node

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mr-tron/base58"

	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/token"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm/bank"
)

func TestChainMethods(t *testing.T) {
	e := newEnv(t, Config{})
	e.produce()
	e.produce()
	head := e.bank.Head()
	hash := txn.Hash(head.Hash).String()
	alice := txn.PubkeyOf(e.alice).String()
	rent := e.bank.Rent()
	tests := []struct {
		method string
		params []any
		want   string // the result's JSON
	}{
		{"getHealth", nil, `"ok"`},
		{"getSlot", nil, `2`},
		{"getSlot", []any{map[string]any{"commitment": "processed"}}, `2`},
		{"getBlockHeight", []any{map[string]any{"commitment": "finalized"}}, `2`},
		{"getFirstAvailableBlock", nil, `0`},
		{"getLatestBlockhash", nil, `{"context":{"apiVersion":"2.2.0","slot":2},"value":{"blockhash":"` + hash + `","lastValidBlockHeight":152}}`},
		{"isBlockhashValid", []any{hash}, `{"context":{"apiVersion":"2.2.0","slot":2},"value":true}`},
		{"isBlockhashValid", []any{txn.Hash{9}.String()}, `{"context":{"apiVersion":"2.2.0","slot":2},"value":false}`},
		{"getBalance", []any{alice}, `{"context":{"apiVersion":"2.2.0","slot":2},"value":10000000000}`},
		{"getBalance", []any{pubkey.Pubkey{7}.String()}, `{"context":{"apiVersion":"2.2.0","slot":2},"value":0}`},
		{"getAccountInfo", []any{pubkey.Pubkey{7}.String()}, `{"context":{"apiVersion":"2.2.0","slot":2},"value":null}`},
		{"getAccountInfo", []any{alice, map[string]any{"encoding": "base64"}},
			`{"context":{"apiVersion":"2.2.0","slot":2},"value":{"data":["","base64"],"executable":false,"lamports":10000000000,"owner":"11111111111111111111111111111111","rentEpoch":0,"space":0}}`},
		{"getAccountInfo", []any{testMint.String(), map[string]any{"encoding": "base64", "dataSlice": map[string]any{"offset": 44, "length": 2}}},
			`{"context":{"apiVersion":"2.2.0","slot":2},"value":{"data":["BgE=","base64"],"executable":false,"lamports":1461600,"owner":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","rentEpoch":0,"space":82}}`},
		{"getAccountInfo", []any{testMint.String(), map[string]any{"encoding": "base58", "dataSlice": map[string]any{"offset": 44, "length": 2}}},
			`{"context":{"apiVersion":"2.2.0","slot":2},"value":{"data":["` + base58.Encode([]byte{6, 1}) + `","base58"],"executable":false,"lamports":1461600,"owner":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","rentEpoch":0,"space":82}}`},
		{"getAccountInfo", []any{testTokenB.String(), map[string]any{"encoding": "jsonParsed"}},
			`{"context":{"apiVersion":"2.2.0","slot":2},"value":{"data":{"parsed":{"info":{"isNative":false,"mint":"` + testMint.String() + `","owner":"` + alice + `","state":"initialized","tokenAmount":{"amount":"250","decimals":6,"uiAmount":0.00025,"uiAmountString":"0.00025"}},"type":"account"},"program":"spl-token","space":165},"executable":false,"lamports":2039280,"owner":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","rentEpoch":0,"space":165}}`},
		{"getMultipleAccounts", []any{[]string{pubkey.Pubkey{7}.String(), alice}, map[string]any{"encoding": "base64", "dataSlice": map[string]any{"offset": 0, "length": 0}}},
			`{"context":{"apiVersion":"2.2.0","slot":2},"value":[null,{"data":["","base64"],"executable":false,"lamports":10000000000,"owner":"11111111111111111111111111111111","rentEpoch":0,"space":0}]}`},
		{"getMinimumBalanceForRentExemption", []any{165}, jsonOf(rent.MinimumBalance(165))},
		{"getMinimumBalanceForRentExemption", []any{0, map[string]any{"commitment": "confirmed"}}, jsonOf(rent.MinimumBalance(0))},
		{"getEpochInfo", nil, `{"absoluteSlot":2,"blockHeight":2,"epoch":0,"slotIndex":2,"slotsInEpoch":432000}`},
		{"getBlockTime", []any{0}, `1700000000`},
		{"getRecentPrioritizationFees", nil, `[{"prioritizationFee":0,"slot":1},{"prioritizationFee":0,"slot":2}]`},
		{"getTokenAccountBalance", []any{testTokenA.String()}, `{"context":{"apiVersion":"2.2.0","slot":2},"value":{"amount":"1500000","decimals":6,"uiAmount":1.5,"uiAmountString":"1.5"}}`},
		{"getTokenSupply", []any{testMint.String()}, `{"context":{"apiVersion":"2.2.0","slot":2},"value":{"amount":"3000000","decimals":6,"uiAmount":3,"uiAmountString":"3"}}`},
		{"getBlocks", []any{1}, `[1,2]`},
		{"getBlocks", []any{0, 1}, `[0,1]`},
		{"getBlocks", []any{0, 9, map[string]any{"commitment": "confirmed"}}, `[0,1,2]`},
		{"getBlocks", []any{5}, `[]`},
		{"getBlocksWithLimit", []any{1, 5}, `[1,2]`},
		{"getBlocksWithLimit", []any{0, 2}, `[0,1]`},
		{"getMaxRetransmitSlot", nil, `2`},
	}
	for _, tc := range tests {
		res, rerr := e.call(tc.method, tc.params...)
		if rerr != nil {
			t.Errorf("%s %v: %v", tc.method, tc.params, rerr)
			continue
		}
		if got := canonical(t, res); got != canonical(t, json.RawMessage(tc.want)) {
			t.Errorf("%s %v:\n got %s\nwant %s", tc.method, tc.params, got, tc.want)
		}
	}
	var v map[string]any
	e.ok(&v, "getVersion")
	if v["solana-core"] != Version {
		t.Errorf("getVersion: %v", v)
	}
	var g string
	e.ok(&g, "getGenesisHash")
	r0, _ := e.st.Block(0)
	if g != txn.Hash(r0.Header.Hash).String() {
		t.Errorf("getGenesisHash %s", g)
	}
}

func jsonOf(v any) string { b, _ := json.Marshal(v); return string(b) }

// canonical re-encodes JSON with sorted keys.
func canonical(t *testing.T, b json.RawMessage) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func TestProgramAndTokenAccounts(t *testing.T) {
	e := newEnv(t, Config{})
	alice := txn.PubkeyOf(e.alice)
	keys := func(method string, params ...any) []string {
		t.Helper()
		res, rerr := e.call(method, params...)
		if rerr != nil {
			t.Fatalf("%s: %v", method, rerr)
		}
		var list []keyedAccount
		if err := json.Unmarshal(res, &list); err != nil {
			var wc withContext[[]keyedAccount]
			if err := json.Unmarshal(res, &wc); err != nil {
				t.Fatalf("%s: %s", method, res)
			}
			list = wc.Value
		}
		var out []string
		for _, k := range list {
			out = append(out, k.Pubkey)
		}
		return out
	}
	tok := token.Program.String()
	all := []string{testMint.String(), testTokenA.String(), testTokenB.String(), testTokenC.String()}
	tests := []struct {
		name   string
		method string
		params []any
		want   []string
	}{
		{"every account", "getProgramAccounts", []any{tok, map[string]any{"encoding": "base64"}}, all},
		{"dataSize", "getProgramAccounts", []any{tok, map[string]any{"encoding": "base64", "filters": []any{map[string]any{"dataSize": 82}}}}, all[:1]},
		{"memcmp owner", "getProgramAccounts", []any{tok, map[string]any{"encoding": "base64", "withContext": true, "filters": []any{
			map[string]any{"dataSize": 165}, map[string]any{"memcmp": map[string]any{"offset": 32, "bytes": alice.String()}}}}}, all[1:3]},
		{"memcmp base64", "getProgramAccounts", []any{tok, map[string]any{"encoding": "base64", "filters": []any{
			map[string]any{"memcmp": map[string]any{"offset": 32, "bytes": base64.StdEncoding.EncodeToString(e.bob[:]), "encoding": "base64"}}}}}, all[3:]},
		{"memcmp past the end", "getProgramAccounts", []any{tok, map[string]any{"filters": []any{map[string]any{"memcmp": map[string]any{"offset": 164, "bytes": "11"}}}}}, nil},
		{"by owner and mint", "getTokenAccountsByOwner", []any{alice.String(), map[string]any{"mint": testMint.String()}, map[string]any{"encoding": "jsonParsed"}}, all[1:3]},
		{"by owner and program", "getTokenAccountsByOwner", []any{e.bob.String(), map[string]any{"programId": tok}, map[string]any{"encoding": "base64"}}, all[3:]},
	}
	for _, tc := range tests {
		got := keys(tc.method, tc.params...)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	fails := []struct {
		code   int
		method string
		params []any
	}{
		{CodeInvalidParams, "getProgramAccounts", []any{tok, map[string]any{"filters": []any{map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}}}}},
		{CodeInvalidParams, "getProgramAccounts", []any{tok, map[string]any{"filters": []any{map[string]any{"memcmp": map[string]any{"offset": 0, "bytes": "0OIl"}}}}}},
		{CodeInvalidParams, "getTokenAccountsByOwner", []any{alice.String(), map[string]any{"programId": pubkey.SystemProgram().String()}}},
		{CodeInvalidParams, "getTokenAccountsByOwner", []any{alice.String(), map[string]any{"mint": alice.String()}}},
		{CodeInvalidParams, "getTokenAccountsByOwner", []any{alice.String(), map[string]any{}}},
		{CodeInvalidParams, "getTokenAccountBalance", []any{alice.String()}},
		{CodeInvalidParams, "getTokenAccountBalance", []any{pubkey.Pubkey{9}.String()}},
		{CodeInvalidRequest, "getAccountInfo", []any{testTokenA.String(), map[string]any{"encoding": "base58"}}},
	}
	for _, tc := range fails {
		e.fails(tc.code, tc.method, tc.params...)
	}
}

func TestSendTransaction(t *testing.T) {
	e := newEnv(t, Config{})
	e.produce()
	tx := e.transfer(e.alice, e.bob, 1_000_000)
	sig := tx.ID().String()
	var got string
	e.ok(&got, "sendTransaction", b64(tx), map[string]any{"encoding": "base64"})
	if got != sig {
		t.Fatalf("sendTransaction returned %s, want %s", got, sig)
	}
	// Not yet in a block: no status.
	var st withContext[[]json.RawMessage]
	e.ok(&st, "getSignatureStatuses", []string{sig})
	if string(st.Value[0]) != "null" {
		t.Fatalf("status before the block: %s", st.Value[0])
	}
	// Sent again while waiting: the same signature, queued once.
	e.ok(&got, "sendTransaction", base58.Encode(tx.Encode()))
	r := e.produce()
	if r.Header.NumTxs != 1 {
		t.Fatalf("block holds %d transactions", r.Header.NumTxs)
	}
	e.ok(&st, "getSignatureStatuses", []string{sig, txn.Signature{1}.String()}, map[string]any{"searchTransactionHistory": true})
	if canonical(t, st.Value[0]) != `{"confirmationStatus":"finalized","confirmations":null,"err":null,"slot":2,"status":{"Ok":null}}` || string(st.Value[1]) != "null" {
		t.Fatalf("statuses: %s %s", st.Value[0], st.Value[1])
	}
	var bal withContext[uint64]
	e.ok(&bal, "getBalance", e.bob.String())
	if bal.Value != 1_001_000_000 {
		t.Fatalf("bob has %d", bal.Value)
	}
	// getTransaction, in json and base64.
	var gt struct {
		Slot        uint64 `json:"slot"`
		BlockTime   int64  `json:"blockTime"`
		Version     any    `json:"version"`
		Transaction struct {
			Signatures []string `json:"signatures"`
			Message    struct {
				AccountKeys  []string `json:"accountKeys"`
				Instructions []struct {
					Accounts []int `json:"accounts"`
				} `json:"instructions"`
			} `json:"message"`
		} `json:"transaction"`
		Meta struct {
			Err                  any      `json:"err"`
			Fee                  uint64   `json:"fee"`
			PreBalances          []uint64 `json:"preBalances"`
			PostBalances         []uint64 `json:"postBalances"`
			LogMessages          []string `json:"logMessages"`
			ComputeUnitsConsumed uint64   `json:"computeUnitsConsumed"`
		} `json:"meta"`
	}
	e.ok(&gt, "getTransaction", sig, map[string]any{"encoding": "json", "maxSupportedTransactionVersion": 0, "commitment": "confirmed"})
	if gt.Slot != 2 || gt.Version != "legacy" || gt.Transaction.Signatures[0] != sig || gt.Meta.Fee != 5000 || gt.Meta.ComputeUnitsConsumed != 150 ||
		gt.Meta.PreBalances[0] != 10_000_000_000 || gt.Meta.PostBalances[0] != 10_000_000_000-1_000_000-5000 || gt.Meta.PostBalances[1] != 1_001_000_000 ||
		len(gt.Meta.LogMessages) != 2 || gt.Meta.Err != nil || len(gt.Transaction.Message.Instructions[0].Accounts) != 2 {
		t.Fatalf("getTransaction: %+v", gt)
	}
	var raw map[string]any
	e.ok(&raw, "getTransaction", sig, "base64")
	if enc := raw["transaction"].([]any); enc[0] != b64(tx) || enc[1] != "base64" {
		t.Fatalf("getTransaction base64: %v", raw["transaction"])
	}
	if _, has := raw["version"]; has {
		t.Fatal("version reported without maxSupportedTransactionVersion")
	}
	res, _ := e.call("getTransaction", txn.Signature{3}.String())
	if string(res) != "null" {
		t.Fatalf("unknown transaction: %s", res)
	}
	e.fails(CodeInvalidParams, "getTransaction", sig, map[string]any{"commitment": "processed"})
	// History of bob.
	var hist []map[string]any
	e.ok(&hist, "getSignaturesForAddress", e.bob.String(), map[string]any{"limit": 10})
	if len(hist) != 1 || hist[0]["signature"] != sig || hist[0]["confirmationStatus"] != "finalized" {
		t.Fatalf("getSignaturesForAddress: %v", hist)
	}
	e.ok(&hist, "getSignaturesForAddress", e.bob.String(), map[string]any{"before": sig})
	if len(hist) != 0 {
		t.Fatalf("before the only one: %v", hist)
	}
	e.fails(CodeInvalidParams, "getSignaturesForAddress", e.bob.String(), map[string]any{"limit": 1001})
	// getBlock.
	var blk map[string]any
	e.ok(&blk, "getBlock", 2, map[string]any{"maxSupportedTransactionVersion": 0})
	if blk["blockHeight"].(float64) != 2 || blk["parentSlot"].(float64) != 1 || len(blk["transactions"].([]any)) != 1 {
		t.Fatalf("getBlock: %v", blk)
	}
	blk = nil
	e.ok(&blk, "getBlock", 2, map[string]any{"transactionDetails": "signatures", "rewards": false})
	if s := blk["signatures"].([]any); len(s) != 1 || s[0] != sig {
		t.Fatalf("getBlock signatures: %v", blk)
	}
	if _, has := blk["rewards"]; has {
		t.Fatal("rewards: false still lists rewards")
	}
	e.fails(CodeBlockNotAvailable, "getBlock", 99)

	// The same transaction once processed.
	rerr := e.fails(CodeSendTransactionPreflightFailure, "sendTransaction", b64(tx), map[string]any{"encoding": "base64"})
	if rerr.Message != "Transaction simulation failed: This transaction has already been processed" {
		t.Fatalf("duplicate: %q", rerr.Message)
	}
	if d := rerr.Data.(map[string]any); d["err"] != "AlreadyProcessed" {
		t.Fatalf("duplicate data: %v", d)
	}
	e.fails(CodeSendTransactionPreflightFailure, "sendTransaction", b64(tx), map[string]any{"encoding": "base64", "skipPreflight": true})
}

func TestSendTransactionErrors(t *testing.T) {
	e := newEnv(t, Config{})
	good := e.transfer(e.alice, e.bob, 1)
	stale := e.transfer(e.alice, e.bob, 2)
	stale.Message.RecentBlockhash = txn.Hash{1}
	stale, _ = txn.Sign(&stale.Message, e.alice)
	badSig := e.transfer(e.alice, e.bob, 3)
	badSig.Signatures[0][0] ^= 1
	poor := e.transfer(key(9), e.bob, 5)
	tooMuch := e.transfer(e.alice, e.bob, 20_000_000_000)
	tests := []struct {
		name    string
		data    string
		cfg     map[string]any
		code    int
		message string
		errJSON string
	}{
		{"unknown blockhash", b64(stale), map[string]any{"encoding": "base64"}, CodeSendTransactionPreflightFailure, "Transaction simulation failed: Blockhash not found", `"BlockhashNotFound"`},
		{"unknown blockhash, no preflight", b64(stale), map[string]any{"encoding": "base64", "skipPreflight": true}, CodeSendTransactionPreflightFailure, "Transaction simulation failed: Blockhash not found", `"BlockhashNotFound"`},
		{"bad signature", b64(badSig), map[string]any{"encoding": "base64"}, CodeSignatureVerificationFailure, "Transaction signature verification failure", ""},
		{"fee payer without an account", b64(poor), map[string]any{"encoding": "base64"}, CodeSendTransactionPreflightFailure,
			"Transaction simulation failed: Attempt to debit an account but found no record of a prior credit.", `"AccountNotFound"`},
		{"transfer over the balance", b64(tooMuch), map[string]any{"encoding": "base64"}, CodeSendTransactionPreflightFailure,
			"Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1", `{"InstructionError":[0,{"Custom":1}]}`},
		{"bad base64", "!!!", map[string]any{"encoding": "base64"}, CodeInvalidParams, "", ""},
		{"bad base58", "0OIl", nil, CodeInvalidParams, "", ""},
		{"bad encoding", b64(good), map[string]any{"encoding": "hex"}, CodeInvalidParams, "unsupported encoding: hex. Supported encodings: base58, base64", ""},
		{"truncated", base64.StdEncoding.EncodeToString(good.Encode()[:100]), map[string]any{"encoding": "base64"}, CodeInvalidParams, "", ""},
		{"too large", strings.Repeat("A", 1648), map[string]any{"encoding": "base64"}, CodeInvalidParams,
			"base64 encoded solana_transaction::versioned::VersionedTransaction too large: 1648 bytes (max: encoded/raw 1644/1232)", ""},
	}
	for _, tc := range tests {
		params := []any{tc.data}
		if tc.cfg != nil {
			params = append(params, tc.cfg)
		}
		rerr := e.fails(tc.code, "sendTransaction", params...)
		if tc.message != "" && rerr.Message != tc.message {
			t.Errorf("%s: message %q, want %q", tc.name, rerr.Message, tc.message)
		}
		if tc.errJSON != "" {
			d, _ := json.Marshal(rerr.Data.(map[string]any)["err"])
			if string(d) != tc.errJSON {
				t.Errorf("%s: data.err %s, want %s", tc.name, d, tc.errJSON)
			}
		}
	}
	if e.node.Pending() != 0 {
		t.Fatalf("%d refused transactions are queued", e.node.Pending())
	}
	e.ok(nil, "sendTransaction", b64(good), map[string]any{"encoding": "base64"})
}

func TestSimulateTransaction(t *testing.T) {
	e := newEnv(t, Config{})
	tx := e.transfer(e.alice, e.bob, 777)
	var sim withContext[struct {
		Err           any              `json:"err"`
		Logs          []string         `json:"logs"`
		UnitsConsumed uint64           `json:"unitsConsumed"`
		Accounts      []map[string]any `json:"accounts"`
		Replacement   map[string]any   `json:"replacementBlockhash"`
		Fee           uint64           `json:"fee"`
	}]
	e.ok(&sim, "simulateTransaction", b64(tx), map[string]any{"encoding": "base64", "sigVerify": true,
		"accounts": map[string]any{"addresses": []string{e.bob.String()}, "encoding": "base64"}})
	if sim.Value.Err != nil || sim.Value.UnitsConsumed != 150 || len(sim.Value.Logs) != 2 || sim.Value.Accounts[0]["lamports"].(float64) != 1_000_000_777 || sim.Value.Fee != 5000 {
		t.Fatalf("simulate: %+v", sim.Value)
	}
	// Nothing was committed.
	var bal withContext[uint64]
	e.ok(&bal, "getBalance", e.bob.String())
	if bal.Value != 1_000_000_000 {
		t.Fatal("simulation committed")
	}
	// A stale blockhash, replaced.
	tx.Message.RecentBlockhash = txn.Hash{5}
	e.ok(&sim, "simulateTransaction", b64(tx), map[string]any{"encoding": "base64", "replaceRecentBlockhash": true})
	if sim.Value.Err != nil || sim.Value.Replacement["blockhash"] != txn.Hash(e.bank.Head().Hash).String() {
		t.Fatalf("replaceRecentBlockhash: %+v", sim.Value)
	}
	e.ok(&sim, "simulateTransaction", b64(tx), map[string]any{"encoding": "base64"})
	if sim.Value.Err != "BlockhashNotFound" {
		t.Fatalf("stale blockhash: %+v", sim.Value.Err)
	}
	e.fails(CodeInvalidParams, "simulateTransaction", b64(tx), map[string]any{"encoding": "base64", "replaceRecentBlockhash": true, "sigVerify": true})
	e.fails(CodeSignatureVerificationFailure, "simulateTransaction", b64(tx), map[string]any{"encoding": "base64", "sigVerify": true})
	// A failing instruction reports its logs.
	fail := e.transfer(e.alice, e.bob, 50_000_000_000)
	e.ok(&sim, "simulateTransaction", b64(fail), map[string]any{"encoding": "base64"})
	if jsonOf(sim.Value.Err) != `{"InstructionError":[0,{"Custom":1}]}` || len(sim.Value.Logs) == 0 {
		t.Fatalf("failing simulation: %+v", sim.Value)
	}
}

func TestFeesAndAirdrop(t *testing.T) {
	e := newEnv(t, Config{})
	m, _ := txn.Compile(txn.PubkeyOf(e.alice), []txn.Instruction{computebudget.SetComputeUnitLimit(1000), computebudget.SetComputeUnitPrice(2_000_000), system.Transfer(txn.PubkeyOf(e.alice), e.bob, 1)}, e.bank.LatestBlockhash())
	var fee withContext[*uint64]
	e.ok(&fee, "getFeeForMessage", base64.StdEncoding.EncodeToString(m.Encode()))
	if fee.Value == nil || *fee.Value != 5000+2000 {
		t.Fatalf("getFeeForMessage: %v", fee.Value)
	}
	m.RecentBlockhash = txn.Hash{1}
	e.ok(&fee, "getFeeForMessage", base64.StdEncoding.EncodeToString(m.Encode()))
	if fee.Value != nil {
		t.Fatalf("getFeeForMessage with an unknown blockhash: %v", *fee.Value)
	}
	e.fails(CodeInvalidParams, "getFeeForMessage", "AAAA")

	// Two identical airdrops are two transactions.
	var s1, s2 string
	e.ok(&s1, "requestAirdrop", e.bob.String(), 1_000_000_000)
	e.ok(&s2, "requestAirdrop", e.bob.String(), 1_000_000_000)
	if s1 == s2 {
		t.Fatal("identical airdrops share a signature")
	}
	e.produce()
	// A prioritized transfer, for the fee window.
	prio := e.transfer(e.alice, e.bob, 5, computebudget.SetComputeUnitLimit(1000), computebudget.SetComputeUnitPrice(3000))
	e.ok(nil, "sendTransaction", b64(prio), map[string]any{"encoding": "base64"})
	e.produce()
	var bal withContext[uint64]
	e.ok(&bal, "getBalance", e.bob.String())
	if bal.Value != 3_000_000_005 {
		t.Fatalf("bob has %d after two airdrops and a transfer", bal.Value)
	}
	var fees []map[string]uint64
	e.ok(&fees, "getRecentPrioritizationFees", []string{e.bob.String()})
	if len(fees) != 2 || fees[1]["slot"] != 2 || fees[1]["prioritizationFee"] != 3000 || fees[0]["prioritizationFee"] != 0 {
		t.Fatalf("getRecentPrioritizationFees for bob: %v", fees)
	}
	e.ok(&fees, "getRecentPrioritizationFees")
	if fees[1]["prioritizationFee"] != 3000 {
		t.Fatalf("block minimum: %v", fees)
	}
	e.fails(CodeInvalidParams, "requestAirdrop", "nope", 1)
}

func TestMempoolFull(t *testing.T) {
	e := newEnv(t, Config{MempoolSize: 2})
	for i := range 3 {
		tx := e.transfer(e.alice, e.bob, uint64(i+1))
		res, rerr := e.call("sendTransaction", b64(tx), map[string]any{"encoding": "base64"})
		if i < 2 && rerr != nil {
			t.Fatalf("tx %d: %v", i, rerr)
		}
		if i == 2 {
			if rerr == nil || rerr.Code != CodeServerError || !strings.Contains(rerr.Message, "queue full") {
				t.Fatalf("third tx into a pool of 2: %s %v", res, rerr)
			}
		}
	}
	if r := e.produce(); r.Header.NumTxs != 2 {
		t.Fatalf("block holds %d", r.Header.NumTxs)
	}
	e.ok(nil, "sendTransaction", b64(e.transfer(e.alice, e.bob, 3)), map[string]any{"encoding": "base64"})
}

func TestProtocolErrors(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		name   string
		body   string
		status int
		want   string // canonical response
	}{
		{"parse error", `{"jsonrpc":`, 200, `{"error":{"code":-32700,"message":"Parse error"},"id":null,"jsonrpc":"2.0"}`},
		{"not an object", `42`, 200, `{"error":{"code":-32600,"message":"Invalid request: a request is a JSON object"},"id":null,"jsonrpc":"2.0"}`},
		{"no version", `{"id":1,"method":"getSlot"}`, 200, `{"error":{"code":-32600,"message":"Invalid request: jsonrpc must be \"2.0\""},"id":1,"jsonrpc":"2.0"}`},
		{"no method", `{"jsonrpc":"2.0","id":"a"}`, 200, `{"error":{"code":-32600,"message":"Invalid request: method is missing"},"id":"a","jsonrpc":"2.0"}`},
		{"unknown method", `{"jsonrpc":"2.0","id":1,"method":"getNothing"}`, 200, `{"error":{"code":-32601,"message":"Method not found"},"id":1,"jsonrpc":"2.0"}`},
		{"params not a list", `{"jsonrpc":"2.0","id":1,"method":"getSlot","params":5}`, 200, `{"error":{"code":-32602,"message":"Invalid params: params must be an array or an object"},"id":1,"jsonrpc":"2.0"}`},
		{"wrong param type", `{"jsonrpc":"2.0","id":1,"method":"getBalance","params":[5]}`, 200, ``},
		{"bad pubkey", `{"jsonrpc":"2.0","id":1,"method":"getBalance","params":["xyz"]}`, 200, `{"error":{"code":-32602,"message":"Invalid param: Invalid"},"id":1,"jsonrpc":"2.0"}`},
		{"missing param", `{"jsonrpc":"2.0","id":1,"method":"getBalance"}`, 200, `{"error":{"code":-32602,"message":"Invalid params: missing parameter 0"},"id":1,"jsonrpc":"2.0"}`},
		{"bad commitment", `{"jsonrpc":"2.0","id":1,"method":"getSlot","params":[{"commitment":"soon"}]}`, 200, ``},
		{"min context slot", `{"jsonrpc":"2.0","id":1,"method":"getSlot","params":[{"minContextSlot":9}]}`, 200,
			`{"error":{"code":-32016,"data":{"contextSlot":0},"message":"Minimum context slot has not been reached"},"id":1,"jsonrpc":"2.0"}`},
		{"empty batch", `[]`, 200, `{"error":{"code":-32600,"message":"Invalid request"},"id":null,"jsonrpc":"2.0"}`},
		{"batch", `[{"jsonrpc":"2.0","id":1,"method":"getSlot"},{"jsonrpc":"2.0","method":"getSlot"},7]`, 200,
			`[{"id":1,"jsonrpc":"2.0","result":0},{"error":{"code":-32600,"message":"Invalid request: a request is a JSON object"},"id":null,"jsonrpc":"2.0"}]`},
		{"too large", `{"jsonrpc":"2.0","id":1,"method":"getSlot","params":["` + strings.Repeat("x", DefaultMaxBodyBytes) + `"]}`, 413,
			`{"error":{"code":-32600,"message":"Invalid request: the request body is over 51200 bytes"},"id":null,"jsonrpc":"2.0"}`},
	}
	for _, tc := range tests {
		status, body := e.post(tc.body)
		if status != tc.status {
			t.Errorf("%s: status %d", tc.name, status)
		}
		if tc.want == "" {
			var r rpcReply
			json.Unmarshal(body, &r)
			if r.Error == nil || r.Error.Code != CodeInvalidParams {
				t.Errorf("%s: %s", tc.name, body)
			}
			continue
		}
		if got := canonical(t, body); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
	// A notification gets no answer.
	if status, body := e.post(`{"jsonrpc":"2.0","method":"getSlot"}`); status != 200 || len(body) != 0 {
		t.Errorf("notification: %d %q", status, body)
	}
}

func TestRestartKeepsHistory(t *testing.T) {
	dir := t.TempDir()
	st, faucet, created, err := OpenDir(dir, nil)
	if err != nil || !created || faucet == nil {
		t.Fatal(created, err)
	}
	b, err := bank.Open(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := New(st, b, Config{Lanes: 1})
	to := pubkey.Pubkey{4, 2}
	tx, _ := airdropTx(faucet, to, 5000_000, b.LatestBlockhash(), 1)
	if err := n.Submit(tx); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Produce(); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st, faucet2, created, err := OpenDir(dir, nil)
	if err != nil || created || !faucet2.Equal(faucet) {
		t.Fatal(created, err)
	}
	defer st.Close()
	b, _ = bank.Open(st, nil)
	srv := NewServer(New(st, b, Config{}), ServerConfig{})
	out := srv.HandleBody([]byte(`{"jsonrpc":"2.0","id":1,"method":"getTransaction","params":["` + tx.ID().String() + `"]}`))
	var r rpcReply
	json.Unmarshal(out, &r)
	var got struct {
		Slot uint64 `json:"slot"`
		Meta struct {
			PostBalances []uint64 `json:"postBalances"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(r.Result, &got); err != nil || got.Slot != 1 || got.Meta.PostBalances[1] != 5000_000 {
		t.Fatalf("after restart: %s", out)
	}
}

func TestParsedTransactionAndMetrics(t *testing.T) {
	e := newEnv(t, Config{})
	tx := e.transfer(e.alice, e.bob, 1_000_000)
	e.ok(nil, "sendTransaction", b64(tx), map[string]any{"encoding": "base64"})
	e.produce()
	var got struct {
		Transaction struct {
			Message struct {
				AccountKeys []struct {
					Pubkey   string `json:"pubkey"`
					Signer   bool   `json:"signer"`
					Writable bool   `json:"writable"`
				} `json:"accountKeys"`
				Instructions []struct {
					Program   string `json:"program"`
					ProgramID string `json:"programId"`
					Parsed    struct {
						Type string         `json:"type"`
						Info map[string]any `json:"info"`
					} `json:"parsed"`
				} `json:"instructions"`
			} `json:"message"`
		} `json:"transaction"`
	}
	e.ok(&got, "getTransaction", tx.ID().String(), map[string]any{"encoding": "jsonParsed"})
	m := got.Transaction.Message
	if len(m.AccountKeys) != 3 || !m.AccountKeys[0].Signer || !m.AccountKeys[1].Writable || m.AccountKeys[2].Writable ||
		m.Instructions[0].ProgramID != pubkey.SystemProgram().String() || m.Instructions[0].Program != "system" || m.Instructions[0].Parsed.Type != "transfer" ||
		m.Instructions[0].Parsed.Info["destination"] != e.bob.String() || m.Instructions[0].Parsed.Info["lamports"] != float64(1_000_000) {
		t.Fatalf("jsonParsed: %+v", m)
	}
	resp, err := e.http.Client().Get(e.http.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf strings.Builder
	io.Copy(&buf, resp.Body)
	for _, want := range []string{
		"agora_node_blocks_total 1", `agora_node_transactions_total{status="ok"} 1`, "agora_node_compute_units_total 150",
		"agora_node_confirmation_latency_seconds_count 1", "agora_node_block_production_seconds_count 1",
		"agora_node_scheduler_lanes 1", `agora_node_scheduler_lane_busy_seconds_total{lane="0",phase="execute"}`,
		`agora_node_rpc_requests_total{method="sendTransaction"} 1`, "agora_node_mempool_transactions 0",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestHTTPMethodsAndCORS(t *testing.T) {
	e := newEnv(t, Config{})
	req, _ := http.NewRequest(http.MethodOptions, e.http.URL, nil)
	resp, err := e.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Content-Type") {
		t.Fatalf("OPTIONS: %d %v", resp.StatusCode, resp.Header)
	}
	resp, err = e.http.Client().Get(e.http.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET /: %d", resp.StatusCode)
	}
	resp, err = e.http.Client().Get(e.http.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	io.Copy(&b, resp.Body)
	resp.Body.Close()
	if b.String() != "ok" {
		t.Fatalf("GET /health: %q", b.String())
	}
}
