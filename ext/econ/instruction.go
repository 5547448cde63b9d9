package econ

import (
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// Tag is the first byte of an instruction: the operation.
type Tag uint8

// The operations. A syscall agora_X passes the arguments of TagX; the
// program sees the same instruction either way.
const (
	TagAuctionCreate Tag = 1 + iota
	TagAuctionBid
	TagAuctionReveal
	TagAuctionSettle
	TagEscrowCreate
	TagEscrowRelease
	TagEscrowRefund
	TagRegistryCreate
	TagReputationUpdate
	TagReputationQuery
	TagStakeLock
	TagStakeSlash
	TagStakeRelease
	TagAuctionFinalize
	TagAuctionPayout
	lastTag
)

var tagNames = [...]string{"AuctionCreate", "AuctionBid", "AuctionReveal", "AuctionSettle", "EscrowCreate",
	"EscrowRelease", "EscrowRefund", "RegistryCreate", "ReputationUpdate", "ReputationQuery", "StakeLock",
	"StakeSlash", "StakeRelease", "AuctionFinalize", "AuctionPayout"}

// String returns the operation's name, e.g. "AuctionBid".
func (t Tag) String() string {
	if t >= TagAuctionCreate && t < lastTag {
		return tagNames[t-1]
	}
	return "Tag(" + itoa(uint64(t)) + ")"
}

// Sizes of the arguments after the tag. Every instruction has exactly its
// size; padding must be zero.
const (
	AuctionCreateSize    = 160
	AuctionBidSize       = 56
	AuctionRevealSize    = 40
	AuctionSettleSize    = 0
	EscrowCreateSize     = 96 + MaxApprovers*32
	EscrowReleaseSize    = 0
	EscrowRefundSize     = 0
	RegistryCreateSize   = 56 + MaxRaters*40
	ReputationUpdateSize = 48
	ReputationQuerySize  = 40
	StakeLockSize        = 96
	StakeSlashSize       = 40
	StakeReleaseSize     = 8
	AuctionFinalizeSize  = 0
	AuctionPayoutSize    = 0
)

var argSizes = [...]int{AuctionCreateSize, AuctionBidSize, AuctionRevealSize, AuctionSettleSize, EscrowCreateSize,
	EscrowReleaseSize, EscrowRefundSize, RegistryCreateSize, ReputationUpdateSize, ReputationQuerySize,
	StakeLockSize, StakeSlashSize, StakeReleaseSize, AuctionFinalizeSize, AuctionPayoutSize}

// ArgsSize returns the size of t's arguments, or -1 for an unknown tag.
func ArgsSize(t Tag) int {
	if t >= TagAuctionCreate && t < lastTag {
		return argSizes[t-1]
	}
	return -1
}

// Instruction is a decoded instruction: one of the *Auction..., *Escrow...,
// *Registry..., *Reputation... and *Stake... types of this file.
type Instruction interface {
	Tag() Tag
	put(b []byte) // writes the arguments into b, ArgsSize(Tag()) bytes
}

// Encode returns the instruction data: the tag, then the arguments.
func Encode(ix Instruction) []byte {
	b := make([]byte, 1+ArgsSize(ix.Tag()))
	b[0] = byte(ix.Tag())
	ix.put(b[1:])
	return b
}

// Args returns the arguments alone, as a syscall takes them.
func Args(ix Instruction) []byte { return Encode(ix)[1:] }

// AuctionCreate opens an auction. Accounts: 0 creator (signer, writable;
// pays the rent), 1 the auction (writable; AuctionAddress(creator, ID)).
type AuctionCreate struct {
	ID   uint64
	Kind AuctionKind
	Bump uint8
	// Items is the number of VCG items (1..MaxVCGItems) or GSP slots
	// (1..MaxGSPSlots); 0 for other kinds.
	Items   uint8
	MaxBids uint8 // 1..MaxBids
	// Beneficiary receives payments and penalties at settlement.
	Beneficiary pubkey.Pubkey
	// BidSlots is how long bidding (committing) lasts, from now.
	BidSlots uint64
	// RevealSlots is how long revealing lasts after bidding (sealed only).
	RevealSlots uint64
	Reserve     uint64
	Increment   uint64 // English: minimum raise; Dutch: price drop per slot
	StartPrice  uint64 // Dutch only
	Penalty     uint64 // sealed only
	// Weights are the GSP slot weights, non-increasing and positive for
	// the first Items slots, zero after.
	Weights [MaxGSPSlots]uint64
}

// AuctionBid bids. Accounts: 0 the auction (writable), 1 the bidder
// (signer, writable System account; pays the lock), and for an English
// auction with a leader, 2 the current leader (writable; refunded).
type AuctionBid struct {
	// Value: VCG the bundle's value, GSP the price per unit of weight,
	// English the amount, Dutch the most the taker pays; 0 for sealed.
	Value uint64
	// Deposit is a sealed bid's deposit, locked until settlement; it
	// must cover the value revealed. 0 for other kinds.
	Deposit uint64
	// Bundle is a VCG bid's items (bit i: item i); 0 for other kinds.
	Bundle uint64
	// Commitment is a sealed bid's sha256(value as u64 LE || nonce);
	// zero for other kinds.
	Commitment [32]byte
}

// AuctionReveal opens a sealed bid. Accounts: 0 the auction (writable),
// 1 the bidder (whose bid is revealed; need not sign).
type AuctionReveal struct {
	Value uint64
	Nonce [32]byte
}

// AuctionSettle settles an auction: payments to the beneficiary, refunds
// to everyone else. Accounts: 0 the auction (writable), 1 the beneficiary
// (writable), then every bid's bidder in bid order (writable).
type AuctionSettle struct{}

// AuctionFinalize is the first step of a settlement in pieces, for an
// auction whose bidders do not all fit one transaction: at the same time
// and under the same rules as AuctionSettle, it computes and records the
// outcome and pays the beneficiary, and keeps the refunds, which
// AuctionPayout then pays. The auction is Settling until the last refund
// is paid (Settled at once when there is none). Accounts: 0 the auction
// (writable), 1 the beneficiary (writable).
type AuctionFinalize struct{}

// AuctionPayout pays the refunds of a finalized auction to the bidders it
// lists, in any order and any grouping, each bid once; the last one
// settles the auction. Accounts: 0 the auction (writable), then one or
// more bidders (writable), each with a refund still held.
type AuctionPayout struct{}

// EscrowCreate opens an escrow. Accounts: 0 depositor A (signer,
// writable; pays the rent and AmountA), 1 the escrow (writable;
// EscrowAddress(A, ID)), 2 counterparty B (writable; signs when AmountB
// is not zero).
type EscrowCreate struct {
	ID           uint64
	Bump         uint8
	Conditions   uint8 // CondOracle | CondTimeLock | CondApprovals, at least one
	OracleOp     OracleOp
	K, N         uint8 // CondApprovals: K of the first N approvers
	AmountA      uint64
	AmountB      uint64
	Oracle       pubkey.Pubkey // CondOracle: the account read at release
	OracleOffset uint32        // the u64 (LE) at this offset of its data
	Threshold    uint64
	LockSlots    uint64 // CondTimeLock: release no sooner than this many slots from now
	TimeoutSlots uint64 // release before, refund from, this many slots from now
	Approvers    [MaxApprovers]pubkey.Pubkey
}

// EscrowRelease releases an escrow whose conditions hold, before its
// timeout: AmountA goes to B and AmountB to A. Accounts: 0 the escrow
// (writable), 1 A (writable), 2 B (writable), then the oracle account if
// CondOracle, then any approvers (signers).
type EscrowRelease struct{}

// EscrowRefund returns the deposits after the timeout. Accounts: 0 the
// escrow (writable), 1 A (writable), 2 B (writable).
type EscrowRefund struct{}

// RegistryCreate opens a reputation registry. Accounts: 0 the authority
// (signer, writable; pays the rent), 1 the registry (writable;
// RegistryAddress(authority, ID)).
type RegistryCreate struct {
	ID          uint64
	Bump        uint8
	DecayQ16    uint32 // kept per period, /65536 (1..65536)
	DecayPeriod uint64 // slots, at least 1
	MinRating   int64
	MaxRating   int64
	ScoreMin    int64 // at most 0
	ScoreMax    int64 // at least 0
	Raters      []Rater
}

// ReputationUpdate rates an agent. Accounts: 0 the registry, 1 the rater
// (signer, writable; pays the score account's rent on the first rating),
// 2 the score account (writable; ScoreAddress(registry, Agent)).
type ReputationUpdate struct {
	Agent  pubkey.Pubkey
	Rating int64
	Bump   uint8 // the score account's
}

// ReputationQuery reads an agent's decayed score; the result is the
// return data (QueryResult). Accounts: 0 the registry, 1 the score
// account (ScoreAddress(registry, Agent); it may not exist yet).
type ReputationQuery struct {
	Agent pubkey.Pubkey
	Bump  uint8
}

// StakeLock locks a stake. Accounts: 0 the staker (signer, writable;
// pays rent and Amount), 1 the stake (writable; StakeAddress(staker, ID)).
type StakeLock struct {
	ID             uint64
	Bump           uint8
	Amount         uint64
	UnbondingSlots uint64
	Authority      pubkey.Pubkey // may slash
	SlashTo        pubkey.Pubkey // receives slashed lamports
}

// StakeSlash slashes a stake. Accounts: 0 the stake (writable), 1 the
// authority (signer), 2 the slash destination (writable).
type StakeSlash struct {
	Amount   uint64
	Evidence [32]byte // the hash of the evidence, recorded; not zero
}

// Stake release modes.
const (
	ReleaseUnbond   = 0 // start the unbonding period
	ReleaseWithdraw = 1 // after it: return the stake to the staker
)

// StakeRelease unbonds or withdraws a stake. Accounts: 0 the stake
// (writable), 1 the staker (signer, writable).
type StakeRelease struct {
	Mode uint8
}

// Tag returns TagAuctionCreate.
func (*AuctionCreate) Tag() Tag { return TagAuctionCreate }

// Tag returns TagAuctionBid.
func (*AuctionBid) Tag() Tag { return TagAuctionBid }

// Tag returns TagAuctionReveal.
func (*AuctionReveal) Tag() Tag { return TagAuctionReveal }

// Tag returns TagAuctionSettle.
func (*AuctionSettle) Tag() Tag { return TagAuctionSettle }

// Tag returns TagAuctionFinalize.
func (*AuctionFinalize) Tag() Tag { return TagAuctionFinalize }

// Tag returns TagAuctionPayout.
func (*AuctionPayout) Tag() Tag { return TagAuctionPayout }

// Tag returns TagEscrowCreate.
func (*EscrowCreate) Tag() Tag { return TagEscrowCreate }

// Tag returns TagEscrowRelease.
func (*EscrowRelease) Tag() Tag { return TagEscrowRelease }

// Tag returns TagEscrowRefund.
func (*EscrowRefund) Tag() Tag { return TagEscrowRefund }

// Tag returns TagRegistryCreate.
func (*RegistryCreate) Tag() Tag { return TagRegistryCreate }

// Tag returns TagReputationUpdate.
func (*ReputationUpdate) Tag() Tag { return TagReputationUpdate }

// Tag returns TagReputationQuery.
func (*ReputationQuery) Tag() Tag { return TagReputationQuery }

// Tag returns TagStakeLock.
func (*StakeLock) Tag() Tag { return TagStakeLock }

// Tag returns TagStakeSlash.
func (*StakeSlash) Tag() Tag { return TagStakeSlash }

// Tag returns TagStakeRelease.
func (*StakeRelease) Tag() Tag { return TagStakeRelease }

func (a *AuctionCreate) put(b []byte) {
	le.PutUint64(b, a.ID)
	b[8], b[9], b[10], b[11] = byte(a.Kind), a.Bump, a.Items, a.MaxBids
	copy(b[16:], a.Beneficiary[:])
	for i, v := range []uint64{a.BidSlots, a.RevealSlots, a.Reserve, a.Increment, a.StartPrice, a.Penalty} {
		le.PutUint64(b[48+8*i:], v)
	}
	for i, w := range a.Weights {
		le.PutUint64(b[96+8*i:], w)
	}
}

func (a *AuctionBid) put(b []byte) {
	le.PutUint64(b, a.Value)
	le.PutUint64(b[8:], a.Deposit)
	le.PutUint64(b[16:], a.Bundle)
	copy(b[24:], a.Commitment[:])
}

func (a *AuctionReveal) put(b []byte) {
	le.PutUint64(b, a.Value)
	copy(b[8:], a.Nonce[:])
}

func (*AuctionSettle) put([]byte)   {}
func (*AuctionFinalize) put([]byte) {}
func (*AuctionPayout) put([]byte)   {}
func (*EscrowRelease) put([]byte)   {}
func (*EscrowRefund) put([]byte)    {}

func (e *EscrowCreate) put(b []byte) {
	le.PutUint64(b, e.ID)
	b[8], b[9], b[10], b[11], b[12] = e.Bump, e.Conditions, byte(e.OracleOp), e.K, e.N
	le.PutUint64(b[16:], e.AmountA)
	le.PutUint64(b[24:], e.AmountB)
	copy(b[32:], e.Oracle[:])
	le.PutUint32(b[64:], e.OracleOffset)
	le.PutUint64(b[72:], e.Threshold)
	le.PutUint64(b[80:], e.LockSlots)
	le.PutUint64(b[88:], e.TimeoutSlots)
	for i, k := range e.Approvers {
		copy(b[96+32*i:], k[:])
	}
}

func (r *RegistryCreate) put(b []byte) {
	le.PutUint64(b, r.ID)
	b[8], b[9] = r.Bump, byte(len(r.Raters))
	le.PutUint32(b[12:], r.DecayQ16)
	le.PutUint64(b[16:], r.DecayPeriod)
	le.PutUint64(b[24:], uint64(r.MinRating))
	le.PutUint64(b[32:], uint64(r.MaxRating))
	le.PutUint64(b[40:], uint64(r.ScoreMin))
	le.PutUint64(b[48:], uint64(r.ScoreMax))
	for i, x := range r.Raters {
		if i == MaxRaters {
			break
		}
		copy(b[56+40*i:], x.Key[:])
		le.PutUint32(b[56+40*i+32:], x.Weight)
	}
}

func (u *ReputationUpdate) put(b []byte) {
	copy(b, u.Agent[:])
	le.PutUint64(b[32:], uint64(u.Rating))
	b[40] = u.Bump
}

func (q *ReputationQuery) put(b []byte) {
	copy(b, q.Agent[:])
	b[32] = q.Bump
}

func (s *StakeLock) put(b []byte) {
	le.PutUint64(b, s.ID)
	b[8] = s.Bump
	le.PutUint64(b[16:], s.Amount)
	le.PutUint64(b[24:], s.UnbondingSlots)
	copy(b[32:], s.Authority[:])
	copy(b[64:], s.SlashTo[:])
}

func (s *StakeSlash) put(b []byte) {
	le.PutUint64(b, s.Amount)
	copy(b[8:], s.Evidence[:])
}

func (s *StakeRelease) put(b []byte) { b[0] = s.Mode }

func zero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// DecodeInstruction reads instruction data: a known tag and exactly its
// arguments, with zero padding. Enumerations (auction kind, oracle
// operator, release mode) and counts are checked against their ranges
// here; everything else is checked by the operation.
func DecodeInstruction(data []byte) (Instruction, error) {
	if len(data) == 0 {
		return nil, fail(InvalidInstruction, "empty instruction data")
	}
	t := Tag(data[0])
	n := ArgsSize(t)
	if n < 0 {
		return nil, fail(InvalidInstruction, "unknown tag %d", data[0])
	}
	if len(data)-1 != n {
		return nil, fail(InvalidInstruction, "%s takes %d bytes of arguments, not %d", t, n, len(data)-1)
	}
	b := data[1:]
	bad := func(what string) error { return fail(InvalidInstruction, "%s: %s", t, what) }
	switch t {
	case TagAuctionCreate:
		a := &AuctionCreate{ID: le.Uint64(b), Kind: AuctionKind(b[8]), Bump: b[9], Items: b[10], MaxBids: b[11]}
		if !zero(b[12:16]) {
			return nil, bad("nonzero padding")
		}
		if a.Kind < VCG || a.Kind >= lastAuctionKind {
			return nil, bad("unknown auction kind " + itoa(uint64(b[8])))
		}
		copy(a.Beneficiary[:], b[16:])
		for i, p := range []*uint64{&a.BidSlots, &a.RevealSlots, &a.Reserve, &a.Increment, &a.StartPrice, &a.Penalty} {
			*p = le.Uint64(b[48+8*i:])
		}
		for i := range a.Weights {
			a.Weights[i] = le.Uint64(b[96+8*i:])
		}
		return a, nil
	case TagAuctionBid:
		a := &AuctionBid{Value: le.Uint64(b), Deposit: le.Uint64(b[8:]), Bundle: le.Uint64(b[16:])}
		copy(a.Commitment[:], b[24:])
		return a, nil
	case TagAuctionReveal:
		a := &AuctionReveal{Value: le.Uint64(b)}
		copy(a.Nonce[:], b[8:])
		return a, nil
	case TagAuctionSettle:
		return &AuctionSettle{}, nil
	case TagEscrowCreate:
		e := &EscrowCreate{ID: le.Uint64(b), Bump: b[8], Conditions: b[9], OracleOp: OracleOp(b[10]), K: b[11], N: b[12]}
		if !zero(b[13:16]) || !zero(b[68:72]) {
			return nil, bad("nonzero padding")
		}
		if e.Conditions&^condAll != 0 {
			return nil, bad("unknown condition flags")
		}
		if e.OracleOp >= lastOracleOp {
			return nil, bad("unknown oracle operator")
		}
		if e.N > MaxApprovers {
			return nil, bad("more than 8 approvers")
		}
		e.AmountA, e.AmountB = le.Uint64(b[16:]), le.Uint64(b[24:])
		copy(e.Oracle[:], b[32:])
		e.OracleOffset = le.Uint32(b[64:])
		e.Threshold, e.LockSlots, e.TimeoutSlots = le.Uint64(b[72:]), le.Uint64(b[80:]), le.Uint64(b[88:])
		for i := range e.Approvers {
			copy(e.Approvers[i][:], b[96+32*i:])
		}
		return e, nil
	case TagAuctionFinalize:
		return &AuctionFinalize{}, nil
	case TagAuctionPayout:
		return &AuctionPayout{}, nil
	case TagEscrowRelease:
		return &EscrowRelease{}, nil
	case TagEscrowRefund:
		return &EscrowRefund{}, nil
	case TagRegistryCreate:
		r := &RegistryCreate{ID: le.Uint64(b), Bump: b[8], DecayQ16: le.Uint32(b[12:]), DecayPeriod: le.Uint64(b[16:]),
			MinRating: int64(le.Uint64(b[24:])), MaxRating: int64(le.Uint64(b[32:])),
			ScoreMin: int64(le.Uint64(b[40:])), ScoreMax: int64(le.Uint64(b[48:]))}
		if !zero(b[10:12]) {
			return nil, bad("nonzero padding")
		}
		n := int(b[9])
		if n > MaxRaters {
			return nil, bad("more than 16 raters")
		}
		r.Raters = make([]Rater, n)
		for i := range MaxRaters {
			e := b[56+40*i:]
			if !zero(e[36:40]) {
				return nil, bad("nonzero padding")
			}
			if i >= n {
				if !zero(e[:40]) {
					return nil, bad("rater entries beyond the count must be zero")
				}
				continue
			}
			copy(r.Raters[i].Key[:], e)
			r.Raters[i].Weight = le.Uint32(e[32:])
		}
		return r, nil
	case TagReputationUpdate:
		u := &ReputationUpdate{Rating: int64(le.Uint64(b[32:])), Bump: b[40]}
		if !zero(b[41:48]) {
			return nil, bad("nonzero padding")
		}
		copy(u.Agent[:], b)
		return u, nil
	case TagReputationQuery:
		q := &ReputationQuery{Bump: b[32]}
		if !zero(b[33:40]) {
			return nil, bad("nonzero padding")
		}
		copy(q.Agent[:], b)
		return q, nil
	case TagStakeLock:
		s := &StakeLock{ID: le.Uint64(b), Bump: b[8], Amount: le.Uint64(b[16:]), UnbondingSlots: le.Uint64(b[24:])}
		if !zero(b[9:16]) {
			return nil, bad("nonzero padding")
		}
		copy(s.Authority[:], b[32:])
		copy(s.SlashTo[:], b[64:])
		return s, nil
	case TagStakeSlash:
		s := &StakeSlash{Amount: le.Uint64(b)}
		copy(s.Evidence[:], b[8:])
		return s, nil
	case TagStakeRelease:
		if !zero(b[1:8]) {
			return nil, bad("nonzero padding")
		}
		if b[0] > ReleaseWithdraw {
			return nil, bad("unknown release mode")
		}
		return &StakeRelease{Mode: b[0]}, nil
	}
	return nil, fail(InvalidInstruction, "unknown tag %d", data[0])
}

// ---- builders ----

func meta(k pubkey.Pubkey, signer, writable bool) txn.AccountMeta {
	return txn.AccountMeta{Pubkey: k, IsSigner: signer, IsWritable: writable}
}

func instruction(ix Instruction, accounts ...txn.AccountMeta) txn.Instruction {
	return txn.Instruction{ProgramID: ProgramID(), Accounts: accounts, Data: Encode(ix)}
}

// NewAuctionCreate builds AuctionCreate for creator, filling in the bump;
// it returns the auction's address too.
func NewAuctionCreate(creator pubkey.Pubkey, p AuctionCreate) (txn.Instruction, pubkey.Pubkey) {
	addr, bump := AuctionAddress(creator, p.ID)
	p.Bump = bump
	return instruction(&p, meta(creator, true, true), meta(addr, false, true)), addr
}

// NewAuctionBid builds AuctionBid; leader is the English auction's
// current leader, or nil.
func NewAuctionBid(auction, bidder pubkey.Pubkey, b AuctionBid, leader *pubkey.Pubkey) txn.Instruction {
	accts := []txn.AccountMeta{meta(auction, false, true), meta(bidder, true, true)}
	if leader != nil {
		accts = append(accts, meta(*leader, false, true))
	}
	return instruction(&b, accts...)
}

// NewAuctionReveal builds AuctionReveal.
func NewAuctionReveal(auction, bidder pubkey.Pubkey, value uint64, nonce [32]byte) txn.Instruction {
	return instruction(&AuctionReveal{Value: value, Nonce: nonce}, meta(auction, false, true), meta(bidder, false, false))
}

// NewAuctionSettle builds AuctionSettle; bidders are the bids' bidders in
// bid order (Auction.Bids).
func NewAuctionSettle(auction, beneficiary pubkey.Pubkey, bidders []pubkey.Pubkey) txn.Instruction {
	accts := []txn.AccountMeta{meta(auction, false, true), meta(beneficiary, false, true)}
	for _, b := range bidders {
		accts = append(accts, meta(b, false, true))
	}
	return instruction(&AuctionSettle{}, accts...)
}

// NewAuctionFinalize builds AuctionFinalize.
func NewAuctionFinalize(auction, beneficiary pubkey.Pubkey) txn.Instruction {
	return instruction(&AuctionFinalize{}, meta(auction, false, true), meta(beneficiary, false, true))
}

// NewAuctionPayout builds AuctionPayout for some of a finalized auction's
// bidders.
func NewAuctionPayout(auction pubkey.Pubkey, bidders []pubkey.Pubkey) txn.Instruction {
	accts := []txn.AccountMeta{meta(auction, false, true)}
	for _, b := range bidders {
		accts = append(accts, meta(b, false, true))
	}
	return instruction(&AuctionPayout{}, accts...)
}

// NewEscrowCreate builds EscrowCreate for depositor a and counterparty b,
// filling in the bump; it returns the escrow's address too.
func NewEscrowCreate(a, b pubkey.Pubkey, p EscrowCreate) (txn.Instruction, pubkey.Pubkey) {
	addr, bump := EscrowAddress(a, p.ID)
	p.Bump = bump
	return instruction(&p, meta(a, true, true), meta(addr, false, true), meta(b, p.AmountB > 0, true)), addr
}

// NewEscrowRelease builds EscrowRelease; oracle is nil without
// CondOracle; approvers sign.
func NewEscrowRelease(escrow, a, b pubkey.Pubkey, oracle *pubkey.Pubkey, approvers []pubkey.Pubkey) txn.Instruction {
	accts := []txn.AccountMeta{meta(escrow, false, true), meta(a, false, true), meta(b, false, true)}
	if oracle != nil {
		accts = append(accts, meta(*oracle, false, false))
	}
	for _, k := range approvers {
		accts = append(accts, meta(k, true, false))
	}
	return instruction(&EscrowRelease{}, accts...)
}

// NewEscrowRefund builds EscrowRefund.
func NewEscrowRefund(escrow, a, b pubkey.Pubkey) txn.Instruction {
	return instruction(&EscrowRefund{}, meta(escrow, false, true), meta(a, false, true), meta(b, false, true))
}

// NewRegistryCreate builds RegistryCreate for authority, filling in the
// bump; it returns the registry's address too.
func NewRegistryCreate(authority pubkey.Pubkey, p RegistryCreate) (txn.Instruction, pubkey.Pubkey) {
	addr, bump := RegistryAddress(authority, p.ID)
	p.Bump = bump
	return instruction(&p, meta(authority, true, true), meta(addr, false, true)), addr
}

// NewReputationUpdate builds ReputationUpdate, filling in the bump.
func NewReputationUpdate(registry, rater, agent pubkey.Pubkey, rating int64) txn.Instruction {
	addr, bump := ScoreAddress(registry, agent)
	return instruction(&ReputationUpdate{Agent: agent, Rating: rating, Bump: bump},
		meta(registry, false, false), meta(rater, true, true), meta(addr, false, true))
}

// NewReputationQuery builds ReputationQuery, filling in the bump.
func NewReputationQuery(registry, agent pubkey.Pubkey) txn.Instruction {
	addr, bump := ScoreAddress(registry, agent)
	return instruction(&ReputationQuery{Agent: agent, Bump: bump}, meta(registry, false, false), meta(addr, false, false))
}

// NewStakeLock builds StakeLock for staker, filling in the bump; it
// returns the stake's address too.
func NewStakeLock(staker pubkey.Pubkey, p StakeLock) (txn.Instruction, pubkey.Pubkey) {
	addr, bump := StakeAddress(staker, p.ID)
	p.Bump = bump
	return instruction(&p, meta(staker, true, true), meta(addr, false, true)), addr
}

// NewStakeSlash builds StakeSlash.
func NewStakeSlash(stake, authority, destination pubkey.Pubkey, amount uint64, evidence [32]byte) txn.Instruction {
	return instruction(&StakeSlash{Amount: amount, Evidence: evidence},
		meta(stake, false, true), meta(authority, true, false), meta(destination, false, true))
}

// NewStakeRelease builds StakeRelease.
func NewStakeRelease(stake, staker pubkey.Pubkey, mode uint8) txn.Instruction {
	return instruction(&StakeRelease{Mode: mode}, meta(stake, false, true), meta(staker, true, true))
}
