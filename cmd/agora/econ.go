package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm/bank"
)

// newEconCmd is `agora econ`: the economics program (package ext/econ)
// driven by hand over a chain directory of `agora chain`.
func newEconCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "econ",
		Short: "Run auctions, escrow, reputation and staking on a local chain",
		Long: `Drive Agora's economics program (Econ111111111111111111111111111111111111111)
on a chain directory made by 'agora chain init': every command that changes
state sends one transaction in a new block, as 'agora chain call' does, and
prints its logs, compute units and outcome (--json: the same fields as
'chain call', plus the command's own, e.g. "address" or "result").

Each block is one slot, and deadlines are counted in slots: 'agora econ wait'
produces empty blocks until a deadline has passed.

Keys are keystore names (DIR/keys/NAME.json) or base58 addresses; a key that
must sign needs a keypair in the keystore. A refused operation exits with 1
and names the program's code, e.g. "InstructionError(0, Custom(60432))" with
the log line "econ: BidTooLow: ...".`,
	}
	cmd.AddCommand(newEconAuctionCmd(s), newEconEscrowCmd(s), newEconReputationCmd(s), newEconStakeCmd(s), newEconWaitCmd(s))
	return cmd
}

// econRun is one econ command's context: the flags, the open chain.
type econRun struct {
	s        *streams
	f        *chainFlags
	b        *bank.Bank
	feePayer string
	signers  []ed25519.PrivateKey
}

// open opens the chain; the caller closes the returned function.
func openEcon(s *streams, f *chainFlags, feePayer string) (*econRun, func(), error) {
	if err := f.check(); err != nil {
		return nil, nil, err
	}
	st, b, err := openChain(f.dir)
	if err != nil {
		return nil, nil, err
	}
	return &econRun{s: s, f: f, b: b, feePayer: feePayer}, func() { st.Close() }, nil
}

// key resolves a key name or address.
func (r *econRun) key(text string) (pubkey.Pubkey, error) {
	k, _, err := resolveKey(r.f.dir, text)
	return k, err
}

// signer resolves a key that signs: its keypair must be in the keystore.
func (r *econRun) signer(text, what string) (pubkey.Pubkey, error) {
	k, priv, err := resolveKey(r.f.dir, text)
	if err != nil {
		return k, err
	}
	if priv == nil {
		if priv, _, _ = keyByPubkey(r.f.dir, k); priv == nil {
			return k, usageErr("%s %q must sign but %s has no keypair for it", what, text, filepath.Join(r.f.dir, keysDir))
		}
	}
	r.signers = append(r.signers, priv)
	return k, nil
}

// state reads an account the program owns.
func (r *econRun) state(k pubkey.Pubkey) ([]byte, error) {
	a, err := r.b.Account(k)
	if err != nil {
		return nil, &exitError{code: exitBadCall, err: err}
	}
	if a.Owner != econ.ProgramID() {
		return nil, usageErr("%s is not an account of the economics program", k)
	}
	return a.Data, nil
}

// loadState reads the economics program's account named by text and
// decodes it.
func loadState[T any](r *econRun, text string, decode func([]byte) (T, error)) (pubkey.Pubkey, T, error) {
	var zero T
	k, err := r.key(text)
	if err != nil {
		return k, zero, err
	}
	data, err := r.state(k)
	if err != nil {
		return k, zero, err
	}
	v, err := decode(data)
	if err != nil {
		return k, zero, usageErr("%s: %v", k, err)
	}
	return k, v, nil
}

// sign builds and signs a transaction of ix for the fee payer and the
// signers collected so far.
func (r *econRun) sign(ixs ...txn.Instruction) (*txn.Transaction, error) {
	payerKey, payerPriv, err := resolveKey(r.f.dir, r.feePayer)
	if err != nil {
		return nil, err
	}
	if payerPriv == nil {
		return nil, usageErr("fee payer %q has no keypair in %s", r.feePayer, filepath.Join(r.f.dir, keysDir))
	}
	m, err := txn.Compile(payerKey, ixs, r.b.LatestBlockhash())
	if err != nil {
		return nil, usageErr("%v", err)
	}
	tx, err := txn.Sign(m, dedupe(append([]ed25519.PrivateKey{payerPriv}, r.signers...))...)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return tx, nil
}

// fits reports whether a transaction of ix stays within the packet size.
func (r *econRun) fits(ix txn.Instruction) (bool, error) {
	tx, err := r.sign(ix)
	if err != nil {
		return false, err
	}
	return len(tx.Encode()) <= txn.PacketDataSize, nil
}

// exec runs ix in a new block.
func (r *econRun) exec(ix txn.Instruction) (bank.TxResult, uint64, error) {
	tx, err := r.sign(ix)
	if err != nil {
		return bank.TxResult{}, 0, err
	}
	if n := len(tx.Encode()); n > txn.PacketDataSize {
		return bank.TxResult{}, 0, usageErr("transaction of %d bytes exceeds %d (too many accounts?)", n, txn.PacketDataSize)
	}
	res, err := r.b.ProcessBlock([]*txn.Transaction{tx}, blockTime(r.b))
	if err != nil {
		return bank.TxResult{}, 0, &exitError{code: exitBadCall, err: err}
	}
	return res.Txs[0], res.Header.Height, nil
}

// send runs ix in a new block and reports it with extra fields; decode,
// when given, turns the return data into the "result" field.
func (r *econRun) send(ix txn.Instruction, extra map[string]any, decode func([]byte) any) error {
	t, slot, err := r.exec(ix)
	if err != nil {
		return err
	}
	if extra == nil {
		extra = map[string]any{}
	}
	if t.Err == nil && decode != nil && t.ReturnProgram == econ.ProgramID() {
		extra["result"] = decode(t.ReturnData)
	}
	return r.report([]bank.TxResult{t}, slot, extra)
}

// report prints the outcome of one operation sent as one or more
// transactions (the last one is the first that failed, if any): their
// logs in order, compute units and fees summed, the first signature and
// the last slot, with extra fields.
func (r *econRun) report(ts []bank.TxResult, slot uint64, extra map[string]any) error {
	t := ts[len(ts)-1]
	rep := txReport{OK: t.Err == nil, Logs: []string{}, Signature: ts[0].Signature.String(), Slot: slot}
	for _, x := range ts {
		rep.Logs = append(rep.Logs, x.Logs...)
		rep.CU += x.CU
		rep.Fee += x.Fee
	}
	if t.Err != nil {
		e := t.Err.String()
		rep.Error, rep.Message = &e, t.Err.Error()
	}
	if len(t.ReturnData) > 0 {
		d := base64.StdEncoding.EncodeToString(t.ReturnData)
		rep.Return = &d
	}
	if r.f.json {
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		out := map[string]any{}
		if err := json.Unmarshal(b, &out); err != nil {
			return err
		}
		for k, v := range extra {
			out[k] = v
		}
		if err := writeJSON(r.s, out); err != nil {
			return err
		}
	} else {
		for _, l := range rep.Logs {
			fmt.Fprintln(r.s.out, l)
		}
		fmt.Fprintf(r.s.out, "signature: %s (block %d)\ncompute units: %d\nfee: %d\n", rep.Signature, rep.Slot, rep.CU, rep.Fee)
		keys := make([]string, 0, len(extra))
		for k := range extra {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(r.s.out, "%s: %v\n", k, textValue(extra[k]))
		}
		if t.Err != nil {
			fmt.Fprintf(r.s.out, "error: %s: %s\n", *rep.Error, rep.Message)
		} else {
			fmt.Fprintln(r.s.out, "ok")
		}
	}
	if t.Err != nil {
		return &exitError{code: exitFault, err: errors.New("")}
	}
	return nil
}

func textValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return fmt.Sprint(v)
}

// show prints a decoded state (JSON with --json, indented JSON otherwise).
func (r *econRun) show(v any) error {
	if r.f.json {
		return writeJSON(r.s, v)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintln(r.s.out, string(b))
	return nil
}

// econFlags are the flags every econ command has.
type econFlags struct {
	chainFlags
	feePayer string
}

func (f *econFlags) add(cmd *cobra.Command) {
	f.chainFlags.add(cmd)
	cmd.Flags().StringVar(&f.feePayer, "fee-payer", "payer", "key name of the fee payer")
}

// leaf builds a subcommand whose RunE gets an open econRun.
func leaf(s *streams, use, short, long string, nargs int, setup func(cmd *cobra.Command), run func(r *econRun, args []string) error) *cobra.Command {
	f := &econFlags{}
	cmd := &cobra.Command{Use: use, Short: short, Long: long, Args: exactArgs(nargs),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, done, err := openEcon(s, &f.chainFlags, f.feePayer)
			if err != nil {
				return err
			}
			defer done()
			return run(r, args)
		}}
	f.add(cmd)
	if setup != nil {
		setup(cmd)
	}
	return cmd
}

func parseUintFlag(name, v string) (uint64, error) {
	n, err := strconv.ParseUint(v, 0, 64)
	if err != nil {
		return 0, usageErr("--%s: %q is not an unsigned integer", name, v)
	}
	return n, nil
}

// parseBundle reads a VCG bundle: item indexes "0,2" or a mask "0b101".
func parseBundle(v string) (uint64, error) {
	if strings.HasPrefix(v, "0b") || strings.HasPrefix(v, "0x") {
		return parseUintFlag("bundle", v)
	}
	var mask uint64
	for _, p := range strings.Split(v, ",") {
		i, err := strconv.ParseUint(strings.TrimSpace(p), 10, 8)
		if err != nil || i >= 64 {
			return 0, usageErr("--items: %q is not a list of item indexes (0,1,...) or a mask (0b11)", v)
		}
		mask |= 1 << i
	}
	return mask, nil
}

// u64s reads little-endian u64s (return data).
func u64s(b []byte) []uint64 {
	out := make([]uint64, len(b)/8)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return out
}

// ---- auctions ----

func newEconAuctionCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{Use: "auction", Short: "Create, bid in, reveal, settle and show auctions",
		Long: `Run auctions of the economics program on the local chain in --dir.

An auction's life: 'create' (its kind, items and how long bidding lasts),
'bid' while bidding is open (the bidder's lamports are locked until
settlement; sealed kinds bid a commitment with a deposit), 'reveal' for
the sealed kinds between the bid and reveal deadlines, then 'settle' once
the deadline has passed (a Dutch auction as soon as it is taken): winners
pay (VCG: the harm each winner does to the others; GSP: by the next bid
down; sealed-second: the second price), everyone else is refunded and
unrevealed sealed bids forfeit the penalty. 'show' prints the auction's
state at any time; 'agora econ wait' advances slots.

Kinds: vcg, gsp, sealed-first, sealed-second, english, dutch. See each
subcommand's --help for its flags.`,
		Example: `  agora econ auction create --dir D --kind vcg --id 1 --items 2 --bid-slots 5
  agora econ auction bid --dir D AUCTION --bidder b1 --value 10 --items 0
  agora econ wait --dir D --slots 6
  agora econ auction settle --dir D AUCTION`}

	var p econ.AuctionCreate
	var kind, creator, beneficiary, weights string
	var items, maxBids uint8
	create := leaf(s, "create --dir DIR --kind KIND --id N [flags]", "Create an auction",
		`Create an auction of KIND: vcg (bundles of --items items), gsp (--items ranked
slots weighted by --weights), sealed-first, sealed-second (commit, then reveal
for --reveal-slots), english (--increment), dutch (--start-price falling by
--increment per slot to --reserve). Bidding lasts --bid-slots slots. The
creator (default: the payer) pays the account's rent; payments and penalties
go to --beneficiary (default: the creator).

Prints the auction's address ("address").`, 0,
		func(c *cobra.Command) {
			c.Flags().StringVar(&kind, "kind", "", "vcg, gsp, sealed-first, sealed-second, english or dutch (required)")
			c.Flags().Uint64Var(&p.ID, "id", 0, "the creator's number for this auction")
			c.Flags().StringVar(&creator, "creator", "payer", "the creator (signs, pays the rent)")
			c.Flags().StringVar(&beneficiary, "beneficiary", "", "receives payments (default: the creator)")
			c.Flags().Uint8Var(&items, "items", 0, "VCG items or GSP slots")
			c.Flags().Uint8Var(&maxBids, "max-bids", 8, "most bids (English and Dutch: 1)")
			c.Flags().Uint64Var(&p.BidSlots, "bid-slots", 10, "slots of bidding (committing)")
			c.Flags().Uint64Var(&p.RevealSlots, "reveal-slots", 0, "slots of revealing (sealed)")
			c.Flags().Uint64Var(&p.Reserve, "reserve", 0, "lowest bid (Dutch: floor price)")
			c.Flags().Uint64Var(&p.Increment, "increment", 0, "English: minimum raise; Dutch: price drop per slot")
			c.Flags().Uint64Var(&p.StartPrice, "start-price", 0, "Dutch: the first price")
			c.Flags().Uint64Var(&p.Penalty, "penalty", 0, "sealed: forfeited by a bid never revealed")
			c.Flags().StringVar(&weights, "weights", "", "GSP slot weights, comma-separated, non-increasing")
		},
		func(r *econRun, _ []string) error {
			k, ok := econ.ParseAuctionKind(kind)
			if !ok {
				return usageErr("--kind %q: one of vcg, gsp, sealed-first, sealed-second, english, dutch", kind)
			}
			p.Kind, p.Items, p.MaxBids = k, items, maxBids
			if (k == econ.English || k == econ.Dutch) && maxBids == 8 {
				p.MaxBids = 1
			}
			if weights != "" {
				for i, w := range strings.Split(weights, ",") {
					if i >= econ.MaxGSPSlots {
						return usageErr("--weights: at most %d", econ.MaxGSPSlots)
					}
					v, err := parseUintFlag("weights", strings.TrimSpace(w))
					if err != nil {
						return err
					}
					p.Weights[i] = v
				}
			}
			c, err := r.signer(creator, "--creator")
			if err != nil {
				return err
			}
			p.Beneficiary = c
			if beneficiary != "" {
				if p.Beneficiary, err = r.key(beneficiary); err != nil {
					return err
				}
			}
			ix, addr := econ.NewAuctionCreate(c, p)
			return r.send(ix, map[string]any{"address": addr.String()}, nil)
		})

	var bidder, bundle, nonceHex string
	var value, deposit uint64
	bid := leaf(s, "bid --dir DIR AUCTION --bidder NAME --value N [flags]", "Bid in an auction",
		`Bid in AUCTION (an address) as --bidder, whose lamports are locked until
settlement: VCG --value for the bundle --items (indexes "0,1" or a mask
"0b11"); GSP --value per unit of weight; English --value in all (the previous
leader is refunded); Dutch --value, the most you pay (you pay the current
price). Sealed auctions take a commitment to --value with a --deposit that
covers it: the nonce (random unless --nonce gives 64 hex digits) is printed,
and you need it to reveal.`, 1,
		func(c *cobra.Command) {
			c.Flags().StringVar(&bidder, "bidder", "payer", "the bidder (signs, pays the lock)")
			c.Flags().Uint64Var(&value, "value", 0, "the bid")
			c.Flags().Uint64Var(&deposit, "deposit", 0, "sealed: the deposit locked with the commitment")
			c.Flags().StringVar(&bundle, "items", "", "VCG: the bundle")
			c.Flags().StringVar(&nonceHex, "nonce", "", "sealed: the commitment's nonce (32 bytes hex)")
		},
		func(r *econRun, args []string) error {
			auc, st, err := loadState(r, args[0], econ.DecodeAuction)
			if err != nil {
				return err
			}
			who, err := r.signer(bidder, "--bidder")
			if err != nil {
				return err
			}
			b := econ.AuctionBid{Value: value}
			extra := map[string]any{}
			switch st.Kind {
			case econ.VCG:
				if b.Bundle, err = parseBundle(bundle); err != nil {
					return err
				}
			case econ.SealedFirst, econ.SealedSecond:
				var nonce [32]byte
				if nonceHex != "" {
					n, err := parseHex(nonceHex)
					if err != nil || len(n) != 32 {
						return usageErr("--nonce: 32 bytes of hex")
					}
					copy(nonce[:], n)
				} else if _, err := rand.Read(nonce[:]); err != nil {
					return err
				}
				b = econ.AuctionBid{Deposit: deposit, Commitment: econ.Commitment(value, nonce)}
				extra["nonce"] = hex.EncodeToString(nonce[:])
				extra["commitment"] = hex.EncodeToString(b.Commitment[:])
			}
			var leader *pubkey.Pubkey
			if l := st.Leader(); l >= 0 {
				k := st.Bids[l].Bidder
				leader = &k
			}
			return r.send(econ.NewAuctionBid(auc, who, b, leader), extra, func(d []byte) any {
				v := u64s(d)
				if len(v) != 2 {
					return nil
				}
				return map[string]any{"bid": v[0], "locked": v[1]}
			})
		})

	var revealer string
	var rvalue uint64
	var rnonce string
	reveal := leaf(s, "reveal --dir DIR AUCTION --bidder NAME --value N --nonce HEX", "Reveal a sealed bid",
		`Reveal --bidder's sealed bid in AUCTION: --value and the --nonce printed when
it bid. Reveals are taken from the bid deadline until the reveal deadline; a
bid never revealed forfeits the auction's penalty at settlement.`, 1,
		func(c *cobra.Command) {
			c.Flags().StringVar(&revealer, "bidder", "payer", "whose bid (need not sign)")
			c.Flags().Uint64Var(&rvalue, "value", 0, "the value committed to")
			c.Flags().StringVar(&rnonce, "nonce", "", "the nonce (32 bytes hex)")
		},
		func(r *econRun, args []string) error {
			auc, err := r.key(args[0])
			if err != nil {
				return err
			}
			who, err := r.key(revealer)
			if err != nil {
				return err
			}
			n, err := parseHex(rnonce)
			if err != nil || len(n) != 32 {
				return usageErr("--nonce: 32 bytes of hex")
			}
			var nonce [32]byte
			copy(nonce[:], n)
			return r.send(econ.NewAuctionReveal(auc, who, rvalue, nonce), nil, nil)
		})

	settle := leaf(s, "settle --dir DIR AUCTION", "Settle an auction",
		`Settle AUCTION once its deadline has passed (a Dutch auction as soon as it is
taken): winners pay, everyone else is refunded, penalties are taken. Anyone
may settle; the bidders are listed from the auction's state.

When every bidder fits one transaction, it is one AuctionSettle. Otherwise
the settlement goes in pieces: an AuctionFinalize (the outcome, the
beneficiary paid), then as many AuctionPayout transactions as the refunds
need, each listing as many bidders as fit; an interrupted settlement is
finished by running the command again.

Prints "result": {"proceeds", "winners" (bid indexes), "welfare"} and
"transactions" (how many were sent); the logs, compute units and fees are
those of all of them, the signature the first one's.`, 1, nil,
		func(r *econRun, args []string) error {
			auc, st, err := loadState(r, args[0], econ.DecodeAuction)
			if err != nil {
				return err
			}
			var bidders []pubkey.Pubkey
			for _, b := range st.Bids {
				bidders = append(bidders, b.Bidder)
			}
			result := func(d []byte) any {
				v := u64s(d)
				if len(v) != 3 {
					return nil
				}
				winners := []int{}
				for i := range 64 {
					if v[1]&(1<<i) != 0 {
						winners = append(winners, i)
					}
				}
				return map[string]any{"proceeds": v[0], "winners": winners, "welfare": v[2]}
			}
			one := econ.NewAuctionSettle(auc, st.Beneficiary, bidders)
			fits, err := r.fits(one)
			if err != nil {
				return err
			}
			if st.Status != econ.StatusSettling && fits {
				return r.send(one, map[string]any{"transactions": 1}, result)
			}
			return settleInPieces(r, auc, st, result)
		})

	show := leaf(s, "show --dir DIR AUCTION", "Print an auction's state", "Print AUCTION's state as JSON.", 1, nil,
		func(r *econRun, args []string) error {
			auc, st, err := loadState(r, args[0], econ.DecodeAuction)
			if err != nil {
				return err
			}
			head := r.b.Head().Height
			v := map[string]any{"address": auc.String(), "kind": st.Kind.String(), "status": map[uint8]string{econ.StatusOpen: "open", econ.StatusSettled: "settled", econ.StatusSettling: "settling"}[st.Status],
				"creator": st.Creator.String(), "beneficiary": st.Beneficiary.String(), "slot": head,
				"start_slot": st.StartSlot, "end_slot": st.EndSlot, "reveal_end": st.RevealEnd, "reserve": st.Reserve,
				"increment": st.Increment, "penalty": st.Penalty, "items": st.Items, "max_bids": st.MaxBids,
				"proceeds": st.Proceeds, "settled_slot": st.SettledSlot}
			if st.Kind == econ.Dutch {
				v["start_price"], v["price_next_slot"] = st.StartPrice, st.PriceAt(head+1)
			}
			if st.Kind == econ.GSP {
				v["weights"] = st.Weights[:st.Items]
			}
			bids := []map[string]any{}
			for _, b := range st.Bids {
				bids = append(bids, map[string]any{"bidder": b.Bidder.String(), "value": b.Value, "locked": b.Locked,
					"bundle": b.Bundle, "paid": b.Paid, "revealed": b.Flags&econ.BidRevealed != 0,
					"winner": b.Flags&econ.BidWinner != 0, "forfeit": b.Flags&econ.BidForfeit != 0, "rank": b.Rank,
					"paid_out":   b.Flags&econ.BidPaidOut != 0,
					"commitment": hex.EncodeToString(b.Commitment[:])})
			}
			v["bids"] = bids
			return r.show(v)
		})
	cmd.AddCommand(create, bid, reveal, settle, show)
	return cmd
}

// ---- escrow ----

func newEconEscrowCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{Use: "escrow", Short: "Create, release, refund and show escrows"}
	var p econ.EscrowCreate
	var a, b, oracle, op string
	var approvers []string
	create := leaf(s, "create --dir DIR --id N --a NAME --b KEY [conditions]", "Create an escrow",
		`Create an escrow between --a (who deposits --amount-a and receives --amount-b
on release) and --b (the reverse; B signs when --amount-b is set). Release
needs every condition given: --oracle KEY --op OP --threshold N (the u64 at
--oracle-offset of the oracle account's data, compared: eq ne lt le gt ge),
--lock-slots N (a time lock), --approver KEY (repeatable) with --k N
(k of them sign the release). After --timeout-slots a release is no longer
possible and either party may be refunded.

Prints the escrow's address ("address").`, 0,
		func(c *cobra.Command) {
			c.Flags().Uint64Var(&p.ID, "id", 0, "A's number for this escrow")
			c.Flags().StringVar(&a, "a", "payer", "party A (signs, deposits --amount-a)")
			c.Flags().StringVar(&b, "b", "", "party B (required)")
			c.Flags().Uint64Var(&p.AmountA, "amount-a", 0, "A's deposit, to B on release")
			c.Flags().Uint64Var(&p.AmountB, "amount-b", 0, "B's deposit, to A on release")
			c.Flags().StringVar(&oracle, "oracle", "", "the oracle account")
			c.Flags().Uint32Var(&p.OracleOffset, "oracle-offset", 0, "offset of the oracle's u64")
			c.Flags().StringVar(&op, "op", "ge", "oracle comparison: eq ne lt le gt ge (or == != < <= > >=)")
			c.Flags().Uint64Var(&p.Threshold, "threshold", 0, "the oracle's threshold")
			c.Flags().Uint64Var(&p.LockSlots, "lock-slots", 0, "time lock: release from this many slots on")
			c.Flags().Uint64Var(&p.TimeoutSlots, "timeout-slots", 100, "slots until the timeout")
			c.Flags().StringArrayVar(&approvers, "approver", nil, "an approver (repeatable)")
			c.Flags().Uint8Var(&p.K, "k", 0, "approvals needed (default: all approvers)")
		},
		func(r *econRun, _ []string) error {
			if b == "" {
				return usageErr("--b is required")
			}
			ak, err := r.signer(a, "--a")
			if err != nil {
				return err
			}
			var bk pubkey.Pubkey
			if p.AmountB > 0 {
				bk, err = r.signer(b, "--b")
			} else {
				bk, err = r.key(b)
			}
			if err != nil {
				return err
			}
			if oracle != "" {
				p.Conditions |= econ.CondOracle
				if p.Oracle, err = r.key(oracle); err != nil {
					return err
				}
				o, ok := econ.ParseOracleOp(op)
				if !ok {
					return usageErr("--op %q: eq ne lt le gt ge", op)
				}
				p.OracleOp = o
			}
			if p.LockSlots > 0 {
				p.Conditions |= econ.CondTimeLock
			}
			if len(approvers) > econ.MaxApprovers {
				return usageErr("at most %d approvers", econ.MaxApprovers)
			}
			for i, ap := range approvers {
				if p.Approvers[i], err = r.key(ap); err != nil {
					return err
				}
			}
			if len(approvers) > 0 {
				p.Conditions |= econ.CondApprovals
				p.N = uint8(len(approvers))
				if p.K == 0 {
					p.K = p.N
				}
			}
			ix, addr := econ.NewEscrowCreate(ak, bk, p)
			return r.send(ix, map[string]any{"address": addr.String()}, nil)
		})

	load := func(r *econRun, text string) (pubkey.Pubkey, *econ.Escrow, error) {
		return loadState(r, text, econ.DecodeEscrow)
	}
	var signers []string
	release := leaf(s, "release --dir DIR ESCROW [--approver NAME ...]", "Release an escrow",
		`Release ESCROW when its conditions hold and before its timeout: A's deposit
goes to B and B's to A. Approvers sign with --approver (repeatable).`, 1,
		func(c *cobra.Command) {
			c.Flags().StringArrayVar(&signers, "approver", nil, "an approver who signs (repeatable)")
		},
		func(r *econRun, args []string) error {
			k, e, err := load(r, args[0])
			if err != nil {
				return err
			}
			var aps []pubkey.Pubkey
			for _, n := range signers {
				ap, err := r.signer(n, "--approver")
				if err != nil {
					return err
				}
				aps = append(aps, ap)
			}
			var o *pubkey.Pubkey
			if e.Conditions&econ.CondOracle != 0 {
				o = &e.Oracle
			}
			return r.send(econ.NewEscrowRelease(k, e.A, e.B, o, aps), nil, nil)
		})
	refund := leaf(s, "refund --dir DIR ESCROW", "Refund an escrow after its timeout",
		"Return both deposits of ESCROW, once its timeout has passed. Anyone may refund.", 1, nil,
		func(r *econRun, args []string) error {
			k, e, err := load(r, args[0])
			if err != nil {
				return err
			}
			return r.send(econ.NewEscrowRefund(k, e.A, e.B), nil, nil)
		})
	show := leaf(s, "show --dir DIR ESCROW", "Print an escrow's state", "Print ESCROW's state as JSON.", 1, nil,
		func(r *econRun, args []string) error {
			k, e, err := load(r, args[0])
			if err != nil {
				return err
			}
			aps := []string{}
			for _, ap := range e.Approvers[:e.N] {
				aps = append(aps, ap.String())
			}
			return r.show(map[string]any{"address": k.String(), "status": []string{"funded", "released", "refunded"}[e.Status],
				"a": e.A.String(), "b": e.B.String(), "amount_a": e.AmountA, "amount_b": e.AmountB, "slot": r.b.Head().Height,
				"oracle": e.Conditions&econ.CondOracle != 0, "oracle_account": e.Oracle.String(), "oracle_offset": e.OracleOffset,
				"op": e.OracleOp.String(), "threshold": e.Threshold, "time_lock": e.Conditions&econ.CondTimeLock != 0,
				"unlock_slot": e.UnlockSlot, "timeout_slot": e.TimeoutSlot, "k": e.K, "approvers": aps,
				"created_slot": e.CreatedSlot, "closed_slot": e.ClosedSlot})
		})
	cmd.AddCommand(create, release, refund, show)
	return cmd
}

// ---- reputation ----

func newEconReputationCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{Use: "reputation", Short: "Create registries, rate agents, query scores"}
	var p econ.RegistryCreate
	var authority string
	var raters []string
	create := leaf(s, "create --dir DIR --id N --rater KEY:WEIGHT ... [flags]", "Create a reputation registry",
		`Create a registry of --authority (default: the payer) whose raters are the
--rater KEY:WEIGHT entries (up to 16). A score keeps --decay-q16/65536 of
itself every --decay-period slots; ratings lie in [--min-rating,
--max-rating] and scores in [--score-min, --score-max].

Prints the registry's address ("address").`, 0,
		func(c *cobra.Command) {
			c.Flags().Uint64Var(&p.ID, "id", 0, "the authority's number for this registry")
			c.Flags().StringVar(&authority, "authority", "payer", "the authority (signs, pays the rent)")
			c.Flags().StringArrayVar(&raters, "rater", nil, "a rater and its weight, KEY:WEIGHT (repeatable)")
			c.Flags().Uint32Var(&p.DecayQ16, "decay-q16", 1<<16, "kept per period, out of 65536")
			c.Flags().Uint64Var(&p.DecayPeriod, "decay-period", 100, "slots per decay period")
			c.Flags().Int64Var(&p.MinRating, "min-rating", -10, "lowest rating")
			c.Flags().Int64Var(&p.MaxRating, "max-rating", 10, "highest rating")
			c.Flags().Int64Var(&p.ScoreMin, "score-min", -1000, "lowest score")
			c.Flags().Int64Var(&p.ScoreMax, "score-max", 1000, "highest score")
		},
		func(r *econRun, _ []string) error {
			for _, x := range raters {
				i := strings.LastIndex(x, ":")
				if i < 0 {
					return usageErr("--rater %q: KEY:WEIGHT", x)
				}
				k, err := r.key(x[:i])
				if err != nil {
					return err
				}
				w, err := strconv.ParseUint(x[i+1:], 10, 32)
				if err != nil {
					return usageErr("--rater %q: the weight is a 32-bit unsigned integer", x)
				}
				p.Raters = append(p.Raters, econ.Rater{Key: k, Weight: uint32(w)})
			}
			if len(p.Raters) > econ.MaxRaters {
				return usageErr("at most %d raters", econ.MaxRaters)
			}
			ak, err := r.signer(authority, "--authority")
			if err != nil {
				return err
			}
			ix, addr := econ.NewRegistryCreate(ak, p)
			return r.send(ix, map[string]any{"address": addr.String()}, nil)
		})
	decode := func(d []byte) any {
		q, ok := econ.DecodeQueryResult(d)
		if !ok {
			return nil
		}
		return map[string]any{"score": q.Score, "updated_slot": q.UpdatedSlot, "updates": q.Updates, "slot": q.Slot}
	}
	var rater, agent string
	var rating int64
	update := leaf(s, "update --dir DIR REGISTRY --rater NAME --agent KEY --rating N", "Rate an agent",
		`Rate --agent in REGISTRY as --rater (an authorised rater, who signs and pays
the score account's rent on the agent's first rating). The score decays,
then moves by the rater's weight times the rating, within the bounds.

Prints "result": {"score", "updated_slot", "updates", "slot"}.`, 1,
		func(c *cobra.Command) {
			c.Flags().StringVar(&rater, "rater", "payer", "the rater (signs)")
			c.Flags().StringVar(&agent, "agent", "", "the agent rated (required)")
			c.Flags().Int64Var(&rating, "rating", 0, "the rating")
		},
		func(r *econRun, args []string) error {
			reg, err := r.key(args[0])
			if err != nil {
				return err
			}
			ag, err := r.key(agent)
			if err != nil {
				return err
			}
			rk, err := r.signer(rater, "--rater")
			if err != nil {
				return err
			}
			return r.send(econ.NewReputationUpdate(reg, rk, ag, rating), nil, decode)
		})
	var qagent string
	query := leaf(s, "query --dir DIR REGISTRY --agent KEY", "Query an agent's score",
		`Query --agent's score in REGISTRY, decayed to the current slot, with a
transaction (the program computes it).

Prints "result": {"score", "updated_slot", "updates", "slot"}.`, 1,
		func(c *cobra.Command) {
			c.Flags().StringVar(&qagent, "agent", "", "the agent (required)")
		},
		func(r *econRun, args []string) error {
			reg, err := r.key(args[0])
			if err != nil {
				return err
			}
			ag, err := r.key(qagent)
			if err != nil {
				return err
			}
			return r.send(econ.NewReputationQuery(reg, ag), nil, decode)
		})
	cmd.AddCommand(create, update, query)
	return cmd
}

// ---- staking ----

func newEconStakeCmd(s *streams) *cobra.Command {
	cmd := &cobra.Command{Use: "stake", Short: "Lock, slash, unbond, withdraw and show stakes"}
	var p econ.StakeLock
	var staker, authority, slashTo string
	lock := leaf(s, "lock --dir DIR --id N --amount N --authority KEY --slash-to KEY [flags]", "Lock a stake",
		`Lock --amount lamports of --staker (default: the payer) in a stake that
--authority may slash, sending slashed lamports to --slash-to; once unbonding
starts, --unbonding-slots slots pass before it can be withdrawn.

Prints the stake's address ("address").`, 0,
		func(c *cobra.Command) {
			c.Flags().Uint64Var(&p.ID, "id", 0, "the staker's number for this stake")
			c.Flags().StringVar(&staker, "staker", "payer", "the staker (signs, pays)")
			c.Flags().Uint64Var(&p.Amount, "amount", 0, "lamports staked")
			c.Flags().Uint64Var(&p.UnbondingSlots, "unbonding-slots", 10, "the unbonding period")
			c.Flags().StringVar(&authority, "authority", "", "who may slash (required)")
			c.Flags().StringVar(&slashTo, "slash-to", "", "where slashed lamports go (required)")
		},
		func(r *econRun, _ []string) error {
			if authority == "" || slashTo == "" {
				return usageErr("--authority and --slash-to are required")
			}
			var err error
			if p.Authority, err = r.key(authority); err != nil {
				return err
			}
			if p.SlashTo, err = r.key(slashTo); err != nil {
				return err
			}
			sk, err := r.signer(staker, "--staker")
			if err != nil {
				return err
			}
			ix, addr := econ.NewStakeLock(sk, p)
			return r.send(ix, map[string]any{"address": addr.String()}, nil)
		})
	load := func(r *econRun, text string) (pubkey.Pubkey, *econ.Stake, error) {
		return loadState(r, text, econ.DecodeStake)
	}
	var slasher, evidence string
	var amount uint64
	slash := leaf(s, "slash --dir DIR STAKE --authority NAME --amount N --evidence HEX", "Slash a stake",
		`Slash --amount lamports of STAKE as its authority (who signs), recording the
--evidence hash (32 bytes of hex, e.g. a sha256 of the evidence). The lamports
go to the destination named at lock time.`, 1,
		func(c *cobra.Command) {
			c.Flags().StringVar(&slasher, "authority", "payer", "the slash authority (signs)")
			c.Flags().Uint64Var(&amount, "amount", 0, "lamports slashed")
			c.Flags().StringVar(&evidence, "evidence", "", "the evidence hash (32 bytes hex)")
		},
		func(r *econRun, args []string) error {
			k, st, err := load(r, args[0])
			if err != nil {
				return err
			}
			ev, err := parseHex(evidence)
			if err != nil || len(ev) != 32 {
				return usageErr("--evidence: 32 bytes of hex")
			}
			ak, err := r.signer(slasher, "--authority")
			if err != nil {
				return err
			}
			return r.send(econ.NewStakeSlash(k, ak, st.SlashTo, amount, [32]byte(ev)), nil, nil)
		})
	release := func(use, short, long string, mode uint8) *cobra.Command {
		var who string
		return leaf(s, use, short, long, 1,
			func(c *cobra.Command) { c.Flags().StringVar(&who, "staker", "payer", "the staker (signs)") },
			func(r *econRun, args []string) error {
				k, _, err := load(r, args[0])
				if err != nil {
					return err
				}
				sk, err := r.signer(who, "--staker")
				if err != nil {
					return err
				}
				return r.send(econ.NewStakeRelease(k, sk, mode), nil, nil)
			})
	}
	unbond := release("unbond --dir DIR STAKE", "Start a stake's unbonding period",
		"Start STAKE's unbonding period (the staker signs). It can still be slashed.", econ.ReleaseUnbond)
	withdraw := release("withdraw --dir DIR STAKE", "Withdraw a stake after unbonding",
		"Return what is left of STAKE to the staker, once its unbonding period is over.", econ.ReleaseWithdraw)
	show := leaf(s, "show --dir DIR STAKE", "Print a stake's state", "Print STAKE's state as JSON.", 1, nil,
		func(r *econRun, args []string) error {
			k, st, err := load(r, args[0])
			if err != nil {
				return err
			}
			return r.show(map[string]any{"address": k.String(), "status": []string{"locked", "unbonding", "released"}[st.Status],
				"staker": st.Staker.String(), "authority": st.Authority.String(), "slash_to": st.SlashTo.String(),
				"amount": st.Amount, "unbonding_slots": st.UnbondingSlots, "locked_slot": st.LockedSlot,
				"unbond_slot": st.UnbondSlot, "slashed_total": st.SlashedTotal, "slashes": st.Slashes,
				"last_evidence": hex.EncodeToString(st.LastEvidence[:]), "released_slot": st.ReleasedSlot, "slot": r.b.Head().Height})
		})
	cmd.AddCommand(lock, slash, unbond, withdraw, show)
	return cmd
}

// ---- time ----

func newEconWaitCmd(s *streams) *cobra.Command {
	var slots uint64
	return leaf(s, "wait --dir DIR --slots N", "Produce empty blocks so that slots pass",
		`Produce N empty blocks (one slot each), so that deadlines pass. Prints
{"slot": the last block's slot} with --json.`, 0,
		func(c *cobra.Command) { c.Flags().Uint64Var(&slots, "slots", 1, "slots to wait (at most 10,000)") },
		func(r *econRun, _ []string) error {
			if slots > 10_000 {
				return usageErr("--slots: at most 10,000")
			}
			for range slots {
				if _, err := r.b.ProcessBlock(nil, blockTime(r.b)); err != nil {
					return &exitError{code: exitBadCall, err: err}
				}
			}
			slot := r.b.Head().Height
			if r.f.json {
				return writeJSON(r.s, map[string]any{"slot": slot})
			}
			fmt.Fprintf(r.s.out, "slot %d\n", slot)
			return nil
		})
}

// settleInPieces settles an auction whose bidders do not fit one
// transaction: AuctionFinalize (unless a previous run did), then
// AuctionPayout over as many bidders as fit each transaction, until no
// refund is pending. It stops at the first transaction that fails.
func settleInPieces(r *econRun, auc pubkey.Pubkey, st *econ.Auction, result func([]byte) any) error {
	var ts []bank.TxResult
	var slot uint64
	extra := map[string]any{}
	if st.Status == econ.StatusOpen {
		t, s, err := r.exec(econ.NewAuctionFinalize(auc, st.Beneficiary))
		if err != nil {
			return err
		}
		ts, slot = append(ts, t), s
		if t.Err != nil {
			extra["transactions"] = len(ts)
			return r.report(ts, slot, extra)
		}
		if t.ReturnProgram == econ.ProgramID() {
			extra["result"] = result(t.ReturnData)
		}
		if _, st, err = loadState(r, auc.String(), econ.DecodeAuction); err != nil {
			return err
		}
	}
	var pending []pubkey.Pubkey
	for _, b := range st.Bids {
		if st.Status == econ.StatusSettling && b.Flags&econ.BidPaidOut == 0 {
			pending = append(pending, b.Bidder)
		}
	}
	for len(pending) > 0 {
		n := len(pending)
		for ; n > 1; n-- {
			ok, err := r.fits(econ.NewAuctionPayout(auc, pending[:n]))
			if err != nil {
				return err
			}
			if ok {
				break
			}
		}
		t, s, err := r.exec(econ.NewAuctionPayout(auc, pending[:n]))
		if err != nil {
			return err
		}
		ts, slot = append(ts, t), s
		if t.Err != nil {
			break
		}
		pending = pending[n:]
	}
	if len(ts) == 0 { // settled already: let the program say so
		return r.send(econ.NewAuctionFinalize(auc, st.Beneficiary), map[string]any{"transactions": 1}, nil)
	}
	extra["transactions"] = len(ts)
	return r.report(ts, slot, extra)
}
