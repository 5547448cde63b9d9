package econ

import (
	"bytes"
	"errors"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

func seedInstructions() [][]byte {
	var out [][]byte
	for _, ix := range []Instruction{
		&AuctionCreate{ID: 1, Kind: VCG, Items: 2, MaxBids: 3, BidSlots: 10},
		&AuctionBid{Value: 10, Bundle: 1},
		&AuctionReveal{Value: 5, Nonce: [32]byte{1}},
		&AuctionSettle{},
		&EscrowCreate{ID: 2, Conditions: CondApprovals, K: 1, N: 1, Approvers: [8]pubkey.Pubkey{{1}}, AmountA: 5, TimeoutSlots: 3},
		&EscrowRelease{}, &EscrowRefund{},
		&RegistryCreate{ID: 3, DecayQ16: 100, DecayPeriod: 2, MaxRating: 5, ScoreMax: 9, Raters: []Rater{{pubkey.Pubkey{2}, 1}}},
		&ReputationUpdate{Agent: pubkey.Pubkey{3}, Rating: -2},
		&ReputationQuery{Agent: pubkey.Pubkey{3}},
		&StakeLock{ID: 4, Amount: 9, UnbondingSlots: 2, Authority: pubkey.Pubkey{4}, SlashTo: pubkey.Pubkey{5}},
		&StakeSlash{Amount: 1, Evidence: [32]byte{6}},
		&StakeRelease{Mode: 1},
	} {
		out = append(out, Encode(ix))
	}
	return out
}

// FuzzDecodeInstruction: decoding never panics, and whatever decodes
// encodes back to the same bytes (the layout is canonical).
func FuzzDecodeInstruction(f *testing.F) {
	for _, b := range seedInstructions() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := DecodeInstruction(data)
		if err != nil {
			if c, ok := CodeOf(err); !ok || c != InvalidInstruction {
				t.Fatalf("untyped decode error %v", err)
			}
			return
		}
		if got := Encode(ix); !bytes.Equal(got, data) {
			t.Fatalf("round trip: %x -> %x", data, got)
		}
	})
}

// FuzzProcess runs arbitrary instruction data over arbitrary account
// lists drawn from a world that holds live state: no panic, no broken
// runtime rule, lamports conserved, and a failure changes nothing.
func FuzzProcess(f *testing.F) {
	for _, b := range seedInstructions() {
		f.Add(b, []byte{0x03, 0x12, 0x21})
	}
	f.Fuzz(func(t *testing.T, data, picks []byte) {
		fx := newFixture(3)
		a := fx.create(t, AuctionCreate{ID: 1, Kind: SealedSecond, MaxBids: 4, BidSlots: 5, RevealSlots: 5, Penalty: 1})
		must(t, fx.bid(a, 0, AuctionBid{Deposit: 10, Commitment: Commitment(5, [32]byte{})}))
		ix, esc := NewEscrowCreate(fx.creator, fx.bidders[1], EscrowCreate{ID: 1, Conditions: CondTimeLock, TimeoutSlots: 3, AmountA: 7})
		must(t, fx.exec(ix))
		pool := []pubkey.Pubkey{fx.creator, fx.beneficiary, a, esc, fx.bidders[0], fx.bidders[1], fx.bidders[2], testKey("nobody")}
		in := txn.Instruction{ProgramID: ProgramID(), Data: data}
		for i, p := range picks {
			if i == 40 {
				break
			}
			in.Accounts = append(in.Accounts, txn.AccountMeta{Pubkey: pool[int(p)%len(pool)], IsSigner: p&0x40 != 0, IsWritable: p&0x80 != 0})
		}
		fx.slot += uint64(len(picks) % 12)
		before, total := fx.snapshot(), fx.total()
		err := fx.exec(in)
		if errors.Is(err, errHostRule) {
			t.Fatal(err)
		}
		if fx.total() != total {
			t.Fatal("lamports not conserved")
		}
		if err != nil {
			if _, ok := CodeOf(err); !ok {
				t.Fatalf("untyped error %v", err)
			}
			if d := fx.diff(before); d != "" {
				t.Fatalf("failed (%v) but changed %s", err, d)
			}
		}
	})
}
