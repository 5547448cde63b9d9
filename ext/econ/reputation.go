package econ

import (
	"math"
	"math/bits"

	"github.com/agora-vm/agora/solana/pubkey"
)

// Decay returns v kept over k periods at q/65536 per period, in integer
// arithmetic: f = q·2^16 is the factor in 32-bit fixed point, f^k is
// computed by square-and-multiply with each product rounded down
// (x·y >> 32, exact 128-bit products), and the result is |v|·f^k >> 32
// with v's sign. q = 65536 keeps v; q = 0 clears it after one period.
func Decay(v int64, k uint64, q uint32) int64 {
	if v == 0 || k == 0 || q >= 1<<16 {
		return v
	}
	p, b := uint64(1)<<32, uint64(q)<<16
	for k > 0 && p > 0 {
		if k&1 == 1 {
			p = mulQ32(p, b)
		}
		k >>= 1
		if k > 0 {
			b = mulQ32(b, b)
		}
	}
	mag := uint64(v)
	if v < 0 {
		mag = -mag
	}
	mag = mulQ32(mag, p)
	if v < 0 {
		return -int64(mag)
	}
	return int64(mag)
}

// mulQ32 is x·y >> 32 for y <= 2^32 (so the result fits in 64 bits).
func mulQ32(x, y uint64) uint64 {
	hi, lo := bits.Mul64(x, y)
	return hi<<32 | lo>>32
}

// decayed returns the score as of slot: decay over the whole periods
// since its anchor, and the anchor moved forward by those periods.
func (r *Registry) decayed(s *Score, slot uint64) (value int64, anchor uint64) {
	if slot <= s.Anchor {
		return s.Value, s.Anchor
	}
	k := (slot - s.Anchor) / r.DecayPeriod
	return Decay(s.Value, k, r.DecayQ16), s.Anchor + k*r.DecayPeriod
}

func (p *proc) registryCreate(r *RegistryCreate) error {
	if err := p.charge(CostRegistryCreate); err != nil {
		return err
	}
	if err := p.accounts(2); err != nil {
		return err
	}
	bad := func(msg string) error { return fail(InvalidParameter, "registry: %s", msg) }
	switch {
	case len(r.Raters) == 0 || len(r.Raters) > MaxRaters:
		return bad("1 to 16 raters")
	case r.DecayQ16 == 0 || r.DecayQ16 > 1<<16:
		return bad("decay must keep 1..65536 of 65536 per period")
	case r.DecayPeriod == 0:
		return bad("the decay period is at least one slot")
	case r.MinRating > r.MaxRating:
		return bad("the lowest rating exceeds the highest")
	case r.ScoreMin > 0 || r.ScoreMax < 0:
		return bad("score bounds must contain 0")
	}
	for i, x := range r.Raters {
		if x.Key.IsZero() || x.Weight == 0 {
			return bad("a rater is the zero key or has weight 0")
		}
		for j := range i {
			if r.Raters[j].Key == x.Key {
				return bad("a rater is listed twice")
			}
		}
	}
	authority := p.h.Key(0)
	seeds, err := p.fresh(1, SeedRegistry, authority, idSeed(r.ID), r.Bump)
	if err != nil {
		return err
	}
	st := &Registry{Bump: r.Bump, ID: r.ID, Authority: authority, DecayQ16: r.DecayQ16, DecayPeriod: r.DecayPeriod,
		MinRating: r.MinRating, MaxRating: r.MaxRating, ScoreMin: r.ScoreMin, ScoreMax: r.ScoreMax, Raters: r.Raters}
	data := st.Encode()
	need, err := p.rentFor(len(data), 0)
	if err != nil {
		return err
	}
	if err := p.payer(0, need, "the authority"); err != nil {
		return err
	}
	return p.create(0, 1, seeds, data, 0)
}

func (p *proc) loadRegistry(i int) (*Registry, error) {
	data, err := p.owned(i, "the registry")
	if err != nil {
		return nil, err
	}
	return DecodeRegistry(data)
}

// scoreAt checks that account i is agent's score account in the
// registry at account reg and returns its state; fresh is true when it
// does not exist yet, and seeds are then the seeds that create it (bump
// given). An existing score account is recognised by its owner and the
// registry and agent it records (only the program writes them); a fresh
// one by its address.
func (p *proc) scoreAt(i, reg int, agent pubkey.Pubkey, bump uint8) (s *Score, seeds [][]byte, fresh bool, err error) {
	registry := p.h.Key(reg)
	if p.h.Owner(i) == ProgramID() {
		if s, err = DecodeScore(p.h.AccountData(i)); err != nil {
			return nil, nil, false, err
		}
		if s.Registry != registry || s.Agent != agent {
			return nil, nil, false, fail(WrongAccount, "account %s is another registry's or agent's score", p.h.Key(i))
		}
		return s, nil, false, nil
	}
	if err := p.charge(CostPDA); err != nil {
		return nil, nil, false, err
	}
	seeds = [][]byte{[]byte(SeedScore), registry[:], agent[:], {bump}}
	addr, perr := pubkey.CreateProgramAddress(seeds, ProgramID())
	if perr != nil || addr != p.h.Key(i) {
		return nil, nil, false, fail(WrongAccount, "account %s is not %s's score account in %s", p.h.Key(i), agent, registry)
	}
	if p.h.Owner(i) != pubkey.SystemProgram() || p.h.Lamports(i) != 0 || len(p.h.AccountData(i)) != 0 {
		return nil, nil, false, fail(AlreadyInitialized, "score account %s is in use", p.h.Key(i))
	}
	return &Score{Bump: bump, Registry: registry, Agent: agent}, seeds, true, nil
}

func (p *proc) reputationUpdate(u *ReputationUpdate) error {
	if err := p.charge(CostReputationUpdate); err != nil {
		return err
	}
	if err := p.accounts(3); err != nil {
		return err
	}
	reg, err := p.loadRegistry(0)
	if err != nil {
		return err
	}
	if err := p.signer(1, "the rater"); err != nil {
		return err
	}
	rater := p.h.Key(1)
	weight := uint32(0)
	for _, x := range reg.Raters {
		if x.Key == rater {
			weight = x.Weight
		}
	}
	if weight == 0 {
		return fail(Unauthorized, "%s is not a rater of the registry", rater)
	}
	if u.Rating < reg.MinRating || u.Rating > reg.MaxRating {
		return fail(OutOfBounds, "rating %d outside [%d, %d]", u.Rating, reg.MinRating, reg.MaxRating)
	}
	if err := p.writable(2, "the score account"); err != nil {
		return err
	}
	s, seeds, fresh, err := p.scoreAt(2, 0, u.Agent, u.Bump)
	if err != nil {
		return err
	}
	if fresh {
		s.Anchor = p.slot
	}
	v, anchor := reg.decayed(s, p.slot)
	delta, ok := mulI64(int64(weight), u.Rating)
	if !ok {
		return fail(Overflow, "weight %d times rating %d", weight, u.Rating)
	}
	nv, ok := addI64(v, delta)
	if !ok {
		return fail(Overflow, "score %d plus %d", v, delta)
	}
	nv = min(max(nv, reg.ScoreMin), reg.ScoreMax)
	updates, ok := add(s.Updates, 1)
	if !ok {
		return fail(Overflow, "update count")
	}
	s.Value, s.Anchor, s.UpdatedSlot, s.Updates = nv, anchor, p.slot, updates
	data := s.Encode()
	if fresh {
		need, err := p.rentFor(len(data), 0)
		if err != nil {
			return err
		}
		if err := p.payer(1, need, "the rater"); err != nil {
			return err
		}
		if err := p.create(1, 2, seeds, data, 0); err != nil {
			return err
		}
	} else if err := p.h.SetData(2, data); err != nil {
		return err
	}
	p.h.SetReturnData(queryResult(nv, p.slot, updates, p.slot))
	return nil
}

// QueryResult is the return data of ReputationQuery (and of
// ReputationUpdate): 32 bytes, little-endian.
type QueryResult struct {
	Score       int64  // decayed to Slot
	UpdatedSlot uint64 // the last rating's slot (0: never rated)
	Updates     uint64 // ratings so far
	Slot        uint64 // the slot of the query
}

func queryResult(score int64, updated, updates, slot uint64) []byte {
	return u64le(uint64(score), updated, updates, slot)
}

// DecodeQueryResult reads QueryResult's 32 bytes.
func DecodeQueryResult(b []byte) (QueryResult, bool) {
	if len(b) != 32 {
		return QueryResult{}, false
	}
	return QueryResult{Score: int64(le.Uint64(b)), UpdatedSlot: le.Uint64(b[8:]), Updates: le.Uint64(b[16:]), Slot: le.Uint64(b[24:])}, true
}

func (p *proc) reputationQuery(q *ReputationQuery) error {
	if err := p.charge(CostReputationQuery); err != nil {
		return err
	}
	if err := p.accounts(2); err != nil {
		return err
	}
	reg, err := p.loadRegistry(0)
	if err != nil {
		return err
	}
	s, _, _, err := p.scoreAt(1, 0, q.Agent, q.Bump)
	if err != nil {
		return err
	}
	v, _ := reg.decayed(s, p.slot)
	p.h.SetReturnData(queryResult(v, s.UpdatedSlot, s.Updates, p.slot))
	return nil
}

func mulI64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if (c < 0) != ((a < 0) != (b < 0)) || c/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return c, true
}

func addI64(a, b int64) (int64, bool) {
	c := a + b
	if (b > 0 && c < a) || (b < 0 && c > a) {
		return 0, false
	}
	return c, true
}
