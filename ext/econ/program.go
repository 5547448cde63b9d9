package econ

import (
	"math/bits"

	"github.com/agora-vm/agora/solana/pubkey"
)

// Process executes one instruction of the economics program against h.
// It is the only implementation of the program's semantics: the builtin
// (package runtime), the syscalls and the tests all come through here.
//
// It returns nil, an *Error (nothing was changed), or an error of the
// host's unchanged (the budget ran out, or an effect failed the runtime's
// account rules).
func Process(h Host) error {
	ix, err := DecodeInstruction(h.Data())
	if err != nil {
		if cerr := h.Consume(CostInvalid); cerr != nil {
			return cerr
		}
		return err
	}
	p := &proc{h: h, slot: h.Slot()}
	switch ix := ix.(type) {
	case *AuctionCreate:
		return p.auctionCreate(ix)
	case *AuctionBid:
		return p.auctionBid(ix)
	case *AuctionReveal:
		return p.auctionReveal(ix)
	case *AuctionSettle:
		return p.auctionSettle()
	case *AuctionFinalize:
		return p.auctionFinalize()
	case *AuctionPayout:
		return p.auctionPayout()
	case *EscrowCreate:
		return p.escrowCreate(ix)
	case *EscrowRelease:
		return p.escrowRelease()
	case *EscrowRefund:
		return p.escrowRefund()
	case *RegistryCreate:
		return p.registryCreate(ix)
	case *ReputationUpdate:
		return p.reputationUpdate(ix)
	case *ReputationQuery:
		return p.reputationQuery(ix)
	case *StakeLock:
		return p.stakeLock(ix)
	case *StakeSlash:
		return p.stakeSlash(ix)
	case *StakeRelease:
		return p.stakeRelease(ix)
	}
	return fail(InvalidInstruction, "unknown instruction")
}

// proc is one instruction being processed.
type proc struct {
	h    Host
	slot uint64
}

func (p *proc) charge(cu uint64) error { return p.h.Consume(cu) }

func (p *proc) accounts(n int) error {
	if p.h.NumAccounts() < n {
		return fail(NotEnoughAccounts, "%d accounts, the operation needs %d", p.h.NumAccounts(), n)
	}
	return nil
}

func (p *proc) signer(i int, what string) error {
	if !p.h.IsSigner(i) {
		return fail(MissingSignature, "%s %s must sign", what, p.h.Key(i))
	}
	return nil
}

func (p *proc) writable(i int, what string) error {
	if !p.h.IsWritable(i) {
		return fail(NotWritable, "%s %s must be writable", what, p.h.Key(i))
	}
	return nil
}

// is checks that account i is the key the state names.
func (p *proc) is(i int, want pubkey.Pubkey, what string) error {
	if p.h.Key(i) != want {
		return fail(WrongAccount, "%s is %s, not %s", what, want, p.h.Key(i))
	}
	return nil
}

// payer checks that account i can pay amount as the System program's
// source: it signs, is writable, is a System account without data, and
// holds the lamports.
func (p *proc) payer(i int, amount uint64, what string) error {
	if err := p.signer(i, what); err != nil {
		return err
	}
	if err := p.writable(i, what); err != nil {
		return err
	}
	if p.h.Owner(i) != pubkey.SystemProgram() || len(p.h.AccountData(i)) != 0 {
		return fail(WrongOwner, "%s %s must be a System account without data", what, p.h.Key(i))
	}
	if l := p.h.Lamports(i); l < amount {
		return fail(InsufficientFunds, "%s %s holds %d lamports, needs %d", what, p.h.Key(i), l, amount)
	}
	return nil
}

// fresh checks that account i is the unused program address of the seeds
// (prefix, key, tail, bump) and returns the seeds.
func (p *proc) fresh(i int, prefix string, key pubkey.Pubkey, tail []byte, bump uint8) ([][]byte, error) {
	if err := p.writable(i, "the new account"); err != nil {
		return nil, err
	}
	if err := p.charge(CostPDA); err != nil {
		return nil, err
	}
	seeds := [][]byte{[]byte(prefix), key[:], tail, {bump}}
	addr, err := pubkey.CreateProgramAddress(seeds, ProgramID())
	if err != nil || addr != p.h.Key(i) {
		return nil, fail(WrongAccount, "account %s is not the %s address of %s with bump %d", p.h.Key(i), prefix, key, bump)
	}
	if p.h.Owner(i) != pubkey.SystemProgram() || p.h.Lamports(i) != 0 || len(p.h.AccountData(i)) != 0 {
		return nil, fail(AlreadyInitialized, "account %s is in use", p.h.Key(i))
	}
	return seeds, nil
}

// owned returns the data of state account i, which the program must own.
func (p *proc) owned(i int, what string) ([]byte, error) {
	if p.h.Owner(i) != ProgramID() {
		return nil, fail(WrongOwner, "%s %s is owned by %s, not the economics program", what, p.h.Key(i), p.h.Owner(i))
	}
	return p.h.AccountData(i), nil
}

// create makes state account `to` with data, its rent paid by payer
// together with extra lamports (a deposit).
func (p *proc) create(payer, to int, seeds [][]byte, data []byte, extra uint64) error {
	lamports, ok := add(p.h.RentMinimum(uint64(len(data))), extra)
	if !ok {
		return fail(Overflow, "rent plus %d lamports", extra)
	}
	if err := p.h.CreateAccount(payer, to, lamports, uint64(len(data)), seeds); err != nil {
		return err
	}
	return p.h.SetData(to, data)
}

// rentFor is what payer must hold to create an account of n bytes with
// extra lamports in it.
func (p *proc) rentFor(n int, extra uint64) (uint64, error) {
	v, ok := add(p.h.RentMinimum(uint64(n)), extra)
	if !ok {
		return 0, fail(Overflow, "rent plus %d lamports", extra)
	}
	return v, nil
}

// ---- checked arithmetic ----

func add(a, b uint64) (uint64, bool) {
	s, c := bits.Add64(a, b, 0)
	return s, c == 0
}

func mul(a, b uint64) (uint64, bool) {
	hi, lo := bits.Mul64(a, b)
	return lo, hi == 0
}

func u64le(vs ...uint64) []byte {
	b := make([]byte, 0, 8*len(vs))
	for _, v := range vs {
		b = le.AppendUint64(b, v)
	}
	return b
}
