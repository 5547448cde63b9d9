package econ

func (p *proc) stakeLock(s *StakeLock) error {
	if err := p.charge(CostStakeLock); err != nil {
		return err
	}
	if err := p.accounts(2); err != nil {
		return err
	}
	switch {
	case s.Amount == 0:
		return fail(InvalidParameter, "stake: nothing to lock")
	case s.UnbondingSlots == 0:
		return fail(InvalidParameter, "stake: the unbonding period is at least one slot")
	case s.Authority.IsZero() || s.SlashTo.IsZero():
		return fail(InvalidParameter, "stake: no slash authority or destination")
	}
	staker := p.h.Key(0)
	seeds, err := p.fresh(1, SeedStake, staker, idSeed(s.ID), s.Bump)
	if err != nil {
		return err
	}
	st := &Stake{Status: StakeLocked, Bump: s.Bump, ID: s.ID, Staker: staker, Authority: s.Authority, SlashTo: s.SlashTo,
		Amount: s.Amount, UnbondingSlots: s.UnbondingSlots, LockedSlot: p.slot}
	data := st.Encode()
	need, err := p.rentFor(len(data), s.Amount)
	if err != nil {
		return err
	}
	if err := p.payer(0, need, "the staker"); err != nil {
		return err
	}
	return p.create(0, 1, seeds, data, s.Amount)
}

func (p *proc) loadStake() (*Stake, error) {
	if err := p.writable(0, "the stake"); err != nil {
		return nil, err
	}
	data, err := p.owned(0, "the stake")
	if err != nil {
		return nil, err
	}
	st, err := DecodeStake(data)
	if err != nil {
		return nil, err
	}
	if st.Status == StakeReleased {
		return nil, fail(Closed, "the stake was released at slot %d", st.ReleasedSlot)
	}
	return st, nil
}

func (p *proc) stakeSlash(s *StakeSlash) error {
	if err := p.charge(CostStakeSlash); err != nil {
		return err
	}
	if err := p.accounts(3); err != nil {
		return err
	}
	st, err := p.loadStake()
	if err != nil {
		return err
	}
	if p.h.Key(1) != st.Authority {
		return fail(Unauthorized, "%s is not the slash authority %s", p.h.Key(1), st.Authority)
	}
	if err := p.signer(1, "the slash authority"); err != nil {
		return err
	}
	if err := p.is(2, st.SlashTo, "the slash destination"); err != nil {
		return err
	}
	if err := p.writable(2, "the slash destination"); err != nil {
		return err
	}
	if s.Evidence == ([32]byte{}) {
		return fail(InvalidInstruction, "a slash needs the evidence hash")
	}
	if s.Amount == 0 || s.Amount > st.Amount {
		return fail(InsufficientFunds, "slash of %d from a stake of %d", s.Amount, st.Amount)
	}
	total, ok := add(st.SlashedTotal, s.Amount)
	count, ok2 := add(st.Slashes, 1)
	if !ok || !ok2 {
		return fail(Overflow, "slash totals")
	}
	if err := p.h.Move(0, 2, s.Amount); err != nil {
		return err
	}
	st.Amount -= s.Amount
	st.SlashedTotal, st.Slashes, st.LastEvidence = total, count, s.Evidence
	return p.h.SetData(0, st.Encode())
}

func (p *proc) stakeRelease(s *StakeRelease) error {
	if err := p.charge(CostStakeRelease); err != nil {
		return err
	}
	if err := p.accounts(2); err != nil {
		return err
	}
	st, err := p.loadStake()
	if err != nil {
		return err
	}
	if p.h.Key(1) != st.Staker {
		return fail(Unauthorized, "%s is not the staker %s", p.h.Key(1), st.Staker)
	}
	if err := p.signer(1, "the staker"); err != nil {
		return err
	}
	if err := p.writable(1, "the staker"); err != nil {
		return err
	}
	switch s.Mode {
	case ReleaseUnbond:
		if st.Status != StakeLocked {
			return fail(WrongStatus, "the stake has been unbonding since slot %d", st.UnbondSlot)
		}
		st.Status, st.UnbondSlot = StakeUnbonding, p.slot
	default:
		if st.Status != StakeUnbonding {
			return fail(WrongStatus, "the stake is locked: unbond it first")
		}
		end, ok := add(st.UnbondSlot, st.UnbondingSlots)
		if !ok {
			return fail(Overflow, "unbonding end")
		}
		if p.slot < end {
			return fail(TooEarly, "unbonding ends at slot %d (now %d)", end, p.slot)
		}
		if st.Amount > 0 {
			if err := p.h.Move(0, 1, st.Amount); err != nil {
				return err
			}
		}
		st.Status, st.Amount, st.ReleasedSlot = StakeReleased, 0, p.slot
	}
	return p.h.SetData(0, st.Encode())
}
