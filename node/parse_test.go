package node

import (
	"encoding/json"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
)

// TestParseSystem: every System instruction in jsonParsed, with Agave's
// type names and fields (parse_system), and the cases it leaves
// partially decoded.
func TestParseSystem(t *testing.T) {
	keys := []pubkey.Pubkey{{1}, {2}, {3}, {4}, {5}}
	k := func(i int) string { return keys[i].String() }
	owner, base := pubkey.Pubkey{9}, pubkey.Pubkey{8}
	enc := func(ix system.Instruction) []byte { return ix.Encode() }
	all := []uint8{0, 1, 2, 3, 4}
	for _, c := range []struct {
		name     string
		data     []byte
		accounts []uint8
		want     string // "" for not parsed
	}{
		{"createAccount", enc(system.Instruction{Tag: system.TagCreateAccount, Lamports: 5, Space: 6, Owner: owner}), all,
			`{"type":"createAccount","info":{"source":"` + k(0) + `","newAccount":"` + k(1) + `","lamports":5,"space":6,"owner":"` + owner.String() + `"}}`},
		{"assign", enc(system.Instruction{Tag: system.TagAssign, Owner: owner}), all,
			`{"type":"assign","info":{"account":"` + k(0) + `","owner":"` + owner.String() + `"}}`},
		{"transfer", enc(system.Instruction{Tag: system.TagTransfer, Lamports: 7}), []uint8{2, 0},
			`{"type":"transfer","info":{"source":"` + k(2) + `","destination":"` + k(0) + `","lamports":7}}`},
		{"createAccountWithSeed", enc(system.Instruction{Tag: system.TagCreateAccountWithSeed, Base: base, Seed: "s", Lamports: 1, Space: 2, Owner: owner}), all,
			`{"type":"createAccountWithSeed","info":{"source":"` + k(0) + `","newAccount":"` + k(1) + `","base":"` + base.String() + `","seed":"s","lamports":1,"space":2,"owner":"` + owner.String() + `"}}`},
		{"advanceNonce", enc(system.Instruction{Tag: system.TagAdvanceNonceAccount}), all,
			`{"type":"advanceNonce","info":{"nonceAccount":"` + k(0) + `","recentBlockhashesSysvar":"` + k(1) + `","nonceAuthority":"` + k(2) + `"}}`},
		{"withdrawFromNonce", enc(system.Instruction{Tag: system.TagWithdrawNonceAccount, Lamports: 3}), all,
			`{"type":"withdrawFromNonce","info":{"nonceAccount":"` + k(0) + `","destination":"` + k(1) + `","recentBlockhashesSysvar":"` + k(2) + `","rentSysvar":"` + k(3) + `","nonceAuthority":"` + k(4) + `","lamports":3}}`},
		{"initializeNonce", enc(system.Instruction{Tag: system.TagInitializeNonceAccount, Owner: owner}), all,
			`{"type":"initializeNonce","info":{"nonceAccount":"` + k(0) + `","recentBlockhashesSysvar":"` + k(1) + `","rentSysvar":"` + k(2) + `","nonceAuthority":"` + owner.String() + `"}}`},
		{"authorizeNonce", enc(system.Instruction{Tag: system.TagAuthorizeNonceAccount, Owner: owner}), all,
			`{"type":"authorizeNonce","info":{"nonceAccount":"` + k(0) + `","nonceAuthority":"` + k(1) + `","newAuthorized":"` + owner.String() + `"}}`},
		{"upgradeNonce", enc(system.Instruction{Tag: system.TagUpgradeNonceAccount}), all,
			`{"type":"upgradeNonce","info":{"nonceAccount":"` + k(0) + `"}}`},
		{"allocate", enc(system.Instruction{Tag: system.TagAllocate, Space: 10}), all,
			`{"type":"allocate","info":{"account":"` + k(0) + `","space":10}}`},
		{"allocateWithSeed", enc(system.Instruction{Tag: system.TagAllocateWithSeed, Base: base, Seed: "x", Space: 4, Owner: owner}), all,
			`{"type":"allocateWithSeed","info":{"account":"` + k(0) + `","base":"` + base.String() + `","seed":"x","space":4,"owner":"` + owner.String() + `"}}`},
		{"assignWithSeed", enc(system.Instruction{Tag: system.TagAssignWithSeed, Base: base, Seed: "y", Owner: owner}), all,
			`{"type":"assignWithSeed","info":{"account":"` + k(0) + `","base":"` + base.String() + `","seed":"y","owner":"` + owner.String() + `"}}`},
		{"transferWithSeed", enc(system.Instruction{Tag: system.TagTransferWithSeed, Lamports: 2, Seed: "z", FromOwner: owner}), all,
			`{"type":"transferWithSeed","info":{"source":"` + k(0) + `","sourceBase":"` + k(1) + `","destination":"` + k(2) + `","lamports":2,"sourceSeed":"z","sourceOwner":"` + owner.String() + `"}}`},
		{"trailing bytes", append(enc(system.Instruction{Tag: system.TagTransfer, Lamports: 7}), 1, 2), []uint8{0, 1},
			`{"type":"transfer","info":{"source":"` + k(0) + `","destination":"` + k(1) + `","lamports":7}}`},
		{"too few accounts", enc(system.Instruction{Tag: system.TagTransfer, Lamports: 7}), []uint8{0}, ""},
		{"no accounts", enc(system.Instruction{Tag: system.TagUpgradeNonceAccount}), nil, ""},
		{"an account past the keys", enc(system.Instruction{Tag: system.TagTransfer, Lamports: 7}), []uint8{0, 5}, ""},
		{"unknown variant", []byte{13, 0, 0, 0}, all, ""},
		{"truncated", []byte{2, 0, 0, 0, 1}, all, ""},
	} {
		got, ok := parseSystem(keys, c.accounts, c.data)
		if ok != (c.want != "") {
			t.Errorf("%s: parsed %v", c.name, ok)
			continue
		}
		if ok {
			if g := jsonOf(got); !jsonEqual(g, c.want) {
				t.Errorf("%s: %s\nwant %s", c.name, g, c.want)
			}
		}
	}
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return jsonOf(x) == jsonOf(y)
}

// FuzzParseSystem: any data and accounts parse or are refused, never a
// panic, and a parsed instruction is JSON.
func FuzzParseSystem(f *testing.F) {
	f.Add([]byte{2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, []byte{0, 1})
	f.Add(system.TransferWithSeed(pubkey.Pubkey{1}, pubkey.Pubkey{2}, "seed", pubkey.Pubkey{3}, pubkey.Pubkey{4}, 5).Data, []byte{0, 1, 2})
	keys := []pubkey.Pubkey{{1}, {2}, {3}}
	f.Fuzz(func(t *testing.T, data, accounts []byte) {
		if v, ok := parseSystem(keys, accounts, data); ok && !json.Valid([]byte(jsonOf(v))) {
			t.Fatal("not JSON")
		}
	})
}
