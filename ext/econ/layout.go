package econ

import (
	"encoding/binary"

	"github.com/agora-vm/agora/solana/pubkey"
)

// ProgramID returns the economics program's address.
func ProgramID() pubkey.Pubkey { return pubkey.EconProgram() }

// Limits. They bound the work of every operation (and so its price), the
// size of state accounts, and the accounts a settlement lists.
const (
	// MaxBids is the most bids an auction holds (its max_bids is 1..32).
	// AuctionSettle lists every bidder, which fits one 1,232-byte
	// transaction up to about 28 bids; any auction also settles in pieces
	// (AuctionFinalize, then AuctionPayout over subsets of the bidders).
	MaxBids = 32
	// MaxVCGItems is the most items of a VCG auction: winner
	// determination is exact, over every subset of the items.
	MaxVCGItems = 12
	// MaxGSPSlots is the most ranked slots of a GSP auction.
	MaxGSPSlots = 8
	// MaxApprovers is the most approvers of an escrow.
	MaxApprovers = 8
	// MaxRaters is the most raters of a reputation registry.
	MaxRaters = 16
)

// State account kinds: the first byte of every account the program owns.
const (
	AccountAuction  = 1
	AccountEscrow   = 2
	AccountRegistry = 3
	AccountScore    = 4
	AccountStake    = 5

	layoutVersion = 1
)

// PDA seed prefixes. Every state account is a program-derived address of
// ProgramID: [prefix, owner key, id (u64 LE)] plus a bump.
const (
	SeedAuction  = "auction"
	SeedEscrow   = "escrow"
	SeedRegistry = "reputation"
	SeedScore    = "score"
	SeedStake    = "stake"
)

func idSeed(id uint64) []byte { return binary.LittleEndian.AppendUint64(nil, id) }

// address derives a state account's address and bump.
func address(prefix string, key pubkey.Pubkey, tail []byte) (pubkey.Pubkey, uint8) {
	a, b, _ := pubkey.FindProgramAddress([][]byte{[]byte(prefix), key[:], tail}, ProgramID())
	return a, b
}

// AuctionAddress is the auction account of creator's auction id.
func AuctionAddress(creator pubkey.Pubkey, id uint64) (pubkey.Pubkey, uint8) {
	return address(SeedAuction, creator, idSeed(id))
}

// EscrowAddress is the escrow account of depositor's escrow id.
func EscrowAddress(depositor pubkey.Pubkey, id uint64) (pubkey.Pubkey, uint8) {
	return address(SeedEscrow, depositor, idSeed(id))
}

// RegistryAddress is the reputation registry id of authority.
func RegistryAddress(authority pubkey.Pubkey, id uint64) (pubkey.Pubkey, uint8) {
	return address(SeedRegistry, authority, idSeed(id))
}

// ScoreAddress is agent's score account in a registry.
func ScoreAddress(registry, agent pubkey.Pubkey) (pubkey.Pubkey, uint8) {
	return address(SeedScore, registry, agent[:])
}

// StakeAddress is the stake account of staker's stake id.
func StakeAddress(staker pubkey.Pubkey, id uint64) (pubkey.Pubkey, uint8) {
	return address(SeedStake, staker, idSeed(id))
}

// ---- auctions ----

// AuctionKind is the mechanism of an auction.
type AuctionKind uint8

// Auction kinds.
const (
	// VCG: bids on bundles of items, exact welfare-maximising allocation,
	// Clarke pivot payments.
	VCG AuctionKind = 1 + iota
	// GSP: ranked slots with weights; the k-th highest bidder takes slot k
	// and pays the next bid per unit of the slot's weight.
	GSP
	// SealedFirst: commit–reveal, the highest revealed value wins and
	// pays it.
	SealedFirst
	// SealedSecond: commit–reveal, the highest revealed value wins and
	// pays the second-highest (or the reserve).
	SealedSecond
	// English: ascending open bids with a minimum increment; each new
	// high bid refunds the previous leader.
	English
	// Dutch: the price falls every slot; the first taker wins at the
	// current price.
	Dutch
	lastAuctionKind
)

var auctionKindNames = [...]string{"vcg", "gsp", "sealed-first", "sealed-second", "english", "dutch"}

// String returns the kind's name as the CLI spells it ("vcg", "sealed-second").
func (k AuctionKind) String() string {
	if k >= VCG && k < lastAuctionKind {
		return auctionKindNames[k-VCG]
	}
	return "AuctionKind(" + itoa(uint64(k)) + ")"
}

// ParseAuctionKind reads a kind's name.
func ParseAuctionKind(s string) (AuctionKind, bool) {
	for i, n := range auctionKindNames {
		if n == s {
			return VCG + AuctionKind(i), true
		}
	}
	return 0, false
}

func (k AuctionKind) sealed() bool { return k == SealedFirst || k == SealedSecond }

// Auction statuses.
const (
	StatusOpen    = 0
	StatusSettled = 1
	// StatusSettling: finalized (the outcome recorded, the beneficiary
	// paid) with refunds still held for AuctionPayout.
	StatusSettling = 2
)

// Bid flags.
const (
	BidRevealed = 1 << 0 // a sealed bid whose value was revealed
	BidRefunded = 1 << 1 // the bid's lock went back before settlement (English: outbid)
	BidWinner   = 1 << 2 // the bid won (a slot, a bundle, the item)
	BidForfeit  = 1 << 3 // a sealed bid never revealed: it paid the penalty
	BidPaidOut  = 1 << 4 // a settlement in pieces paid the bid's refund (or it had none)
)

// Bid is one bid of an auction.
type Bid struct {
	Bidder pubkey.Pubkey
	// Value is the bid: the bundle's value (VCG), the price per unit of
	// weight (GSP), the revealed value (sealed), the amount (English),
	// the price paid (Dutch).
	Value uint64
	// Locked is what the bidder deposited and the auction holds for it.
	Locked uint64
	// Bundle is the VCG item set, bit i for item i.
	Bundle uint64
	// Commitment is the sealed bid's sha256(value || nonce).
	Commitment [32]byte
	// Paid is what the bid paid at settlement (penalty included).
	Paid  uint64
	Flags uint8
	// Rank is the GSP slot won, from 1; 0 for none.
	Rank uint8
}

// Auction is an auction account's state.
type Auction struct {
	Kind    AuctionKind
	Status  uint8
	Bump    uint8
	Items   uint8 // VCG items or GSP slots
	MaxBids uint8
	ID      uint64
	Creator pubkey.Pubkey
	// Beneficiary receives the payments and the penalties.
	Beneficiary pubkey.Pubkey
	StartSlot   uint64 // the slot of creation
	// EndSlot is the bid (commit) deadline: bids are taken while the
	// slot is below it.
	EndSlot uint64
	// RevealEnd is the reveal deadline of a sealed auction: reveals are
	// taken while EndSlot <= slot < RevealEnd. It is EndSlot otherwise.
	RevealEnd  uint64
	Reserve    uint64 // the lowest acceptable bid (Dutch: the floor price)
	Increment  uint64 // English: the minimum raise; Dutch: the price drop per slot
	StartPrice uint64 // Dutch: the price at StartSlot
	Penalty    uint64 // sealed: forfeited by a bid never revealed (at most its deposit)
	Weights    [MaxGSPSlots]uint64
	// SettledSlot and Proceeds record the settlement: the slot and the
	// lamports paid to the beneficiary.
	SettledSlot uint64
	Proceeds    uint64
	Bids        []Bid
}

// Auction account layout: a 224-byte header, then MaxBids records.
const (
	auctionHeaderSize = 224
	bidRecordSize     = 104
)

// AuctionSize is the data size of an auction account of maxBids bids.
func AuctionSize(maxBids int) int { return auctionHeaderSize + maxBids*bidRecordSize }

var le = binary.LittleEndian

// Encode lays the auction out in an AuctionSize(MaxBids) buffer.
func (a *Auction) Encode() []byte {
	b := make([]byte, AuctionSize(int(a.MaxBids)))
	b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7] = AccountAuction, layoutVersion, byte(a.Kind), a.Status, a.Bump, a.Items, a.MaxBids, byte(len(a.Bids))
	le.PutUint64(b[8:], a.ID)
	copy(b[16:], a.Creator[:])
	copy(b[48:], a.Beneficiary[:])
	for i, v := range []uint64{a.StartSlot, a.EndSlot, a.RevealEnd, a.Reserve, a.Increment, a.StartPrice, a.Penalty} {
		le.PutUint64(b[80+8*i:], v)
	}
	for i, w := range a.Weights {
		le.PutUint64(b[136+8*i:], w)
	}
	le.PutUint64(b[200:], a.SettledSlot)
	le.PutUint64(b[208:], a.Proceeds)
	for i := range a.Bids {
		r := b[auctionHeaderSize+i*bidRecordSize:]
		d := &a.Bids[i]
		copy(r, d.Bidder[:])
		le.PutUint64(r[32:], d.Value)
		le.PutUint64(r[40:], d.Locked)
		le.PutUint64(r[48:], d.Bundle)
		copy(r[56:], d.Commitment[:])
		le.PutUint64(r[88:], d.Paid)
		r[96], r[97] = d.Flags, d.Rank
	}
	return b
}

// DecodeAuction reads an auction account's data.
func DecodeAuction(b []byte) (*Auction, error) {
	if len(b) < auctionHeaderSize || b[0] != AccountAuction || b[1] != layoutVersion {
		return nil, fail(InvalidState, "not an auction account")
	}
	a := &Auction{Kind: AuctionKind(b[2]), Status: b[3], Bump: b[4], Items: b[5], MaxBids: b[6]}
	n := int(b[7])
	if a.Kind < VCG || a.Kind >= lastAuctionKind || a.Status > StatusSettling || a.MaxBids == 0 || a.MaxBids > MaxBids ||
		n > int(a.MaxBids) || len(b) != AuctionSize(int(a.MaxBids)) {
		return nil, fail(InvalidState, "auction header is inconsistent")
	}
	a.ID = le.Uint64(b[8:])
	copy(a.Creator[:], b[16:])
	copy(a.Beneficiary[:], b[48:])
	f := []*uint64{&a.StartSlot, &a.EndSlot, &a.RevealEnd, &a.Reserve, &a.Increment, &a.StartPrice, &a.Penalty}
	for i, p := range f {
		*p = le.Uint64(b[80+8*i:])
	}
	for i := range a.Weights {
		a.Weights[i] = le.Uint64(b[136+8*i:])
	}
	a.SettledSlot = le.Uint64(b[200:])
	a.Proceeds = le.Uint64(b[208:])
	a.Bids = make([]Bid, n)
	for i := range a.Bids {
		r := b[auctionHeaderSize+i*bidRecordSize:]
		d := &a.Bids[i]
		copy(d.Bidder[:], r)
		d.Value = le.Uint64(r[32:])
		d.Locked = le.Uint64(r[40:])
		d.Bundle = le.Uint64(r[48:])
		copy(d.Commitment[:], r[56:])
		d.Paid = le.Uint64(r[88:])
		d.Flags, d.Rank = r[96], r[97]
	}
	return a, nil
}

// ---- escrow ----

// Escrow condition flags: every flag set must hold for a release.
const (
	CondOracle    = 1 << 0 // an oracle account's u64 compared with a threshold
	CondTimeLock  = 1 << 1 // the slot has reached the unlock slot
	CondApprovals = 1 << 2 // k of the n approvers sign the release
	condAll       = CondOracle | CondTimeLock | CondApprovals
)

// OracleOp compares the oracle's value (left) with the threshold (right).
type OracleOp uint8

// Oracle comparisons.
const (
	OpEQ OracleOp = iota
	OpNE
	OpLT
	OpLE
	OpGT
	OpGE
	lastOracleOp
)

var oracleOpNames = [...]string{"eq", "ne", "lt", "le", "gt", "ge"}

// String returns the operator's name, e.g. "ge".
func (o OracleOp) String() string {
	if o < lastOracleOp {
		return oracleOpNames[o]
	}
	return "OracleOp(" + itoa(uint64(o)) + ")"
}

// ParseOracleOp reads an operator name ("ge") or symbol (">=").
func ParseOracleOp(s string) (OracleOp, bool) {
	for i, n := range oracleOpNames {
		if n == s {
			return OracleOp(i), true
		}
	}
	for i, n := range []string{"==", "!=", "<", "<=", ">", ">="} {
		if n == s {
			return OracleOp(i), true
		}
	}
	return 0, false
}

func (o OracleOp) holds(v, t uint64) bool {
	switch o {
	case OpEQ:
		return v == t
	case OpNE:
		return v != t
	case OpLT:
		return v < t
	case OpLE:
		return v <= t
	case OpGT:
		return v > t
	}
	return v >= t
}

// Escrow statuses.
const (
	EscrowFunded   = 0
	EscrowReleased = 1
	EscrowRefunded = 2
)

// Escrow is an escrow account's state.
type Escrow struct {
	Status     uint8
	Bump       uint8
	Conditions uint8
	OracleOp   OracleOp
	K, N       uint8
	ID         uint64
	// A deposited AmountA and receives AmountB on release; B the reverse.
	A, B             pubkey.Pubkey
	AmountA, AmountB uint64
	Oracle           pubkey.Pubkey
	OracleOffset     uint32
	Threshold        uint64
	UnlockSlot       uint64 // CondTimeLock: release from this slot on
	TimeoutSlot      uint64 // release before it, refund from it on
	CreatedSlot      uint64
	ClosedSlot       uint64
	Approvers        [MaxApprovers]pubkey.Pubkey
}

// EscrowSize is the data size of an escrow account.
const EscrowSize = 176 + MaxApprovers*32

// Encode lays the escrow out.
func (e *Escrow) Encode() []byte {
	b := make([]byte, EscrowSize)
	b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7] = AccountEscrow, layoutVersion, e.Status, e.Bump, e.Conditions, byte(e.OracleOp), e.K, e.N
	le.PutUint64(b[8:], e.ID)
	copy(b[16:], e.A[:])
	copy(b[48:], e.B[:])
	le.PutUint64(b[80:], e.AmountA)
	le.PutUint64(b[88:], e.AmountB)
	copy(b[96:], e.Oracle[:])
	le.PutUint32(b[128:], e.OracleOffset)
	le.PutUint64(b[136:], e.Threshold)
	le.PutUint64(b[144:], e.UnlockSlot)
	le.PutUint64(b[152:], e.TimeoutSlot)
	le.PutUint64(b[160:], e.CreatedSlot)
	le.PutUint64(b[168:], e.ClosedSlot)
	for i, k := range e.Approvers {
		copy(b[176+32*i:], k[:])
	}
	return b
}

// DecodeEscrow reads an escrow account's data.
func DecodeEscrow(b []byte) (*Escrow, error) {
	if len(b) != EscrowSize || b[0] != AccountEscrow || b[1] != layoutVersion {
		return nil, fail(InvalidState, "not an escrow account")
	}
	e := &Escrow{Status: b[2], Bump: b[3], Conditions: b[4], OracleOp: OracleOp(b[5]), K: b[6], N: b[7]}
	if e.Status > EscrowRefunded || e.Conditions&^condAll != 0 || e.OracleOp >= lastOracleOp || e.N > MaxApprovers || e.K > e.N {
		return nil, fail(InvalidState, "escrow header is inconsistent")
	}
	e.ID = le.Uint64(b[8:])
	copy(e.A[:], b[16:])
	copy(e.B[:], b[48:])
	e.AmountA = le.Uint64(b[80:])
	e.AmountB = le.Uint64(b[88:])
	copy(e.Oracle[:], b[96:])
	e.OracleOffset = le.Uint32(b[128:])
	e.Threshold = le.Uint64(b[136:])
	e.UnlockSlot = le.Uint64(b[144:])
	e.TimeoutSlot = le.Uint64(b[152:])
	e.CreatedSlot = le.Uint64(b[160:])
	e.ClosedSlot = le.Uint64(b[168:])
	for i := range e.Approvers {
		copy(e.Approvers[i][:], b[176+32*i:])
	}
	return e, nil
}

// ---- reputation ----

// Rater is an authorised rater of a registry and the weight of its
// ratings.
type Rater struct {
	Key    pubkey.Pubkey
	Weight uint32
}

// Registry is a reputation registry's state: who may rate, how much each
// rating weighs, the bounds, and the decay.
type Registry struct {
	Bump      uint8
	ID        uint64
	Authority pubkey.Pubkey
	// DecayQ16 is the fraction of a score kept per DecayPeriod slots, in
	// units of 1/65536 (65536 keeps everything).
	DecayQ16    uint32
	DecayPeriod uint64
	// Ratings lie in [MinRating, MaxRating]; scores in [ScoreMin, ScoreMax].
	MinRating, MaxRating int64
	ScoreMin, ScoreMax   int64
	Raters               []Rater
}

// RegistrySize is the data size of a registry account.
const RegistrySize = 96 + MaxRaters*40

// Encode lays the registry out.
func (r *Registry) Encode() []byte {
	b := make([]byte, RegistrySize)
	b[0], b[1], b[2], b[3] = AccountRegistry, layoutVersion, byte(len(r.Raters)), r.Bump
	le.PutUint64(b[8:], r.ID)
	copy(b[16:], r.Authority[:])
	le.PutUint32(b[48:], r.DecayQ16)
	le.PutUint64(b[56:], r.DecayPeriod)
	le.PutUint64(b[64:], uint64(r.MinRating))
	le.PutUint64(b[72:], uint64(r.MaxRating))
	le.PutUint64(b[80:], uint64(r.ScoreMin))
	le.PutUint64(b[88:], uint64(r.ScoreMax))
	for i, x := range r.Raters {
		copy(b[96+40*i:], x.Key[:])
		le.PutUint32(b[96+40*i+32:], x.Weight)
	}
	return b
}

// DecodeRegistry reads a registry account's data.
func DecodeRegistry(b []byte) (*Registry, error) {
	if len(b) != RegistrySize || b[0] != AccountRegistry || b[1] != layoutVersion || b[2] > MaxRaters {
		return nil, fail(InvalidState, "not a reputation registry")
	}
	r := &Registry{Bump: b[3], ID: le.Uint64(b[8:]), DecayQ16: le.Uint32(b[48:]), DecayPeriod: le.Uint64(b[56:]),
		MinRating: int64(le.Uint64(b[64:])), MaxRating: int64(le.Uint64(b[72:])),
		ScoreMin: int64(le.Uint64(b[80:])), ScoreMax: int64(le.Uint64(b[88:]))}
	copy(r.Authority[:], b[16:])
	if r.DecayQ16 > 1<<16 || r.DecayPeriod == 0 || r.MinRating > r.MaxRating || r.ScoreMin > 0 || r.ScoreMax < 0 {
		return nil, fail(InvalidState, "registry parameters are inconsistent")
	}
	r.Raters = make([]Rater, b[2])
	for i := range r.Raters {
		copy(r.Raters[i].Key[:], b[96+40*i:])
		r.Raters[i].Weight = le.Uint32(b[96+40*i+32:])
	}
	return r, nil
}

// Score is an agent's score in a registry.
type Score struct {
	Bump     uint8
	Registry pubkey.Pubkey
	Agent    pubkey.Pubkey
	// Value is the score as of Anchor: decay is applied in whole periods
	// from Anchor, and Anchor advances by whole periods, so frequent
	// updates do not escape it.
	Value       int64
	Anchor      uint64
	UpdatedSlot uint64
	Updates     uint64
}

// ScoreSize is the data size of a score account.
const ScoreSize = 104

// Encode lays the score out.
func (s *Score) Encode() []byte {
	b := make([]byte, ScoreSize)
	b[0], b[1], b[2] = AccountScore, layoutVersion, s.Bump
	copy(b[8:], s.Registry[:])
	copy(b[40:], s.Agent[:])
	le.PutUint64(b[72:], uint64(s.Value))
	le.PutUint64(b[80:], s.Anchor)
	le.PutUint64(b[88:], s.UpdatedSlot)
	le.PutUint64(b[96:], s.Updates)
	return b
}

// DecodeScore reads a score account's data.
func DecodeScore(b []byte) (*Score, error) {
	if len(b) != ScoreSize || b[0] != AccountScore || b[1] != layoutVersion {
		return nil, fail(InvalidState, "not a score account")
	}
	s := &Score{Bump: b[2], Value: int64(le.Uint64(b[72:])), Anchor: le.Uint64(b[80:]), UpdatedSlot: le.Uint64(b[88:]), Updates: le.Uint64(b[96:])}
	copy(s.Registry[:], b[8:])
	copy(s.Agent[:], b[40:])
	return s, nil
}

// ---- staking ----

// Stake statuses.
const (
	StakeLocked    = 0
	StakeUnbonding = 1
	StakeReleased  = 2
)

// Stake is a stake account's state.
type Stake struct {
	Status uint8
	Bump   uint8
	ID     uint64
	Staker pubkey.Pubkey
	// Authority may slash; slashed lamports go to SlashTo. Both are fixed
	// at lock time.
	Authority pubkey.Pubkey
	SlashTo   pubkey.Pubkey
	// Amount is the stake left (after slashes).
	Amount         uint64
	UnbondingSlots uint64
	LockedSlot     uint64
	UnbondSlot     uint64 // when unbonding began
	SlashedTotal   uint64
	Slashes        uint64
	LastEvidence   [32]byte
	ReleasedSlot   uint64
}

// StakeSize is the data size of a stake account.
const StakeSize = 200

// Encode lays the stake out.
func (s *Stake) Encode() []byte {
	b := make([]byte, StakeSize)
	b[0], b[1], b[2], b[3] = AccountStake, layoutVersion, s.Status, s.Bump
	le.PutUint64(b[8:], s.ID)
	copy(b[16:], s.Staker[:])
	copy(b[48:], s.Authority[:])
	copy(b[80:], s.SlashTo[:])
	for i, v := range []uint64{s.Amount, s.UnbondingSlots, s.LockedSlot, s.UnbondSlot, s.SlashedTotal, s.Slashes} {
		le.PutUint64(b[112+8*i:], v)
	}
	copy(b[160:], s.LastEvidence[:])
	le.PutUint64(b[192:], s.ReleasedSlot)
	return b
}

// DecodeStake reads a stake account's data.
func DecodeStake(b []byte) (*Stake, error) {
	if len(b) != StakeSize || b[0] != AccountStake || b[1] != layoutVersion || b[2] > StakeReleased {
		return nil, fail(InvalidState, "not a stake account")
	}
	s := &Stake{Status: b[2], Bump: b[3], ID: le.Uint64(b[8:])}
	copy(s.Staker[:], b[16:])
	copy(s.Authority[:], b[48:])
	copy(s.SlashTo[:], b[80:])
	for i, p := range []*uint64{&s.Amount, &s.UnbondingSlots, &s.LockedSlot, &s.UnbondSlot, &s.SlashedTotal, &s.Slashes} {
		*p = le.Uint64(b[112+8*i:])
	}
	copy(s.LastEvidence[:], b[160:])
	s.ReleasedSlot = le.Uint64(b[192:])
	return s, nil
}

// itoa formats n without fmt (used by String methods on hot paths).
func itoa(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}
