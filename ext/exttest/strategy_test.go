package exttest

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-vm/agora/ext/modules"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

func exampleModule(t *testing.T, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "modules", name))
	if err != nil {
		t.Fatal(err)
	}
	return buildModule(t, string(src))
}

// TestTradingAgentSwapsStrategy runs examples/modules: the trading agent
// trades on six prices, calling its strategy program as a module; after
// the third, the strategy's upgrade authority swaps buy-low for momentum
// in a block that also trades (that trade still uses buy-low), and the
// agent, never redeployed, follows the new strategy from the next slot.
func TestTradingAgentSwapsStrategy(t *testing.T) {
	c := newVersionChain(t)
	payer, auth := txn.PubkeyOf(c.payer), txn.PubkeyOf(c.auth)
	agent, strategy, state := addr(50), addr(51), key(52)
	for _, d := range []struct {
		id   [32]byte
		file string
	}{{agent, "trading-agent.s"}, {strategy, "strategy-buy-low.s"}} {
		c.time++
		if _, err := c.b.Deploy(d.id, exampleModule(t, d.file), &auth, c.time); err != nil {
			t.Fatal(err)
		}
	}
	create := system.CreateAccount(payer, txn.PubkeyOf(state), 10_000_000, 16, agent)
	if r := c.block([]txn.Instruction{create}, state); r[0].Err != nil {
		t.Fatalf("state: %v %q", r[0].Err, r[0].Logs)
	}
	trade := func(price uint64) txn.Instruction {
		return txn.Instruction{ProgramID: agent, Data: binary.LittleEndian.AppendUint64(nil, price),
			Accounts: []txn.AccountMeta{{Pubkey: txn.PubkeyOf(state), IsWritable: true}, {Pubkey: strategy}}}
	}
	decision := func(r []string) string {
		for _, l := range r {
			if strings.HasPrefix(l, "Program log: 0x") {
				return strings.TrimPrefix(l, "Program log: ")
			}
		}
		return ""
	}
	want := func(price, d, pos, trades int64) string {
		return fmt.Sprintf("%#x, %#x, %#x, %#x, 0x0", price, d, uint64(pos), trades)
	}
	// Slots with buy-low: buy at 95, sell at 125, hold at 105.
	for _, s := range []struct{ price, d, pos, trades int64 }{{95, 1, 1, 1}, {125, 2, 0, 2}, {105, 0, 0, 2}} {
		r := c.block([]txn.Instruction{trade(uint64(s.price))})[0]
		if got := decision(r.Logs); r.Err != nil || got != want(s.price, s.d, s.pos, s.trades) {
			t.Fatalf("price %d: %v, logged %q, want %q", s.price, r.Err, got, want(s.price, s.d, s.pos, s.trades))
		}
	}
	// The swap: momentum uploaded, staged in a block that also trades.
	writes := modules.WriteInstructions(payer, strategy, auth, exampleModule(t, "strategy-momentum.s"), 700)
	ixs := append([]txn.Instruction{modules.InitInstruction(payer, strategy)}, writes...)
	signers := make([]ed25519.PrivateKey, len(ixs))
	for i := 1; i < len(ixs); i++ {
		signers[i] = c.auth
	}
	for i, r := range c.block(ixs, signers...) {
		if r.Err != nil {
			t.Fatalf("upload %d: %v %q", i, r.Err, r.Logs)
		}
	}
	rs := c.block([]txn.Instruction{modules.StageInstruction(payer, strategy, auth), trade(95)}, c.auth)
	if rs[0].Err != nil {
		t.Fatalf("stage: %v %q", rs[0].Err, rs[0].Logs)
	}
	if got := decision(rs[1].Logs); got != want(95, 1, 1, 3) {
		t.Fatalf("trade in the swap's block: %q, want buy-low's %q", got, want(95, 1, 1, 3))
	}
	// Momentum from the next slot: hold at 95, buy at 125, buy at 115.
	for _, s := range []struct{ price, d, pos, trades int64 }{{95, 0, 1, 3}, {125, 1, 2, 4}, {115, 1, 3, 5}} {
		r := c.block([]txn.Instruction{trade(uint64(s.price))})[0]
		if got := decision(r.Logs); r.Err != nil || got != want(s.price, s.d, s.pos, s.trades) {
			t.Fatalf("price %d after the swap: %v, logged %q, want %q", s.price, r.Err, got, want(s.price, s.d, s.pos, s.trades))
		}
	}
	a, _ := c.b.Account(txn.PubkeyOf(state))
	if a.Owner != agent || int64(binary.LittleEndian.Uint64(a.Data)) != 3 {
		t.Fatalf("agent state %+v", a)
	}
}
