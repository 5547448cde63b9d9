package econ

import "github.com/agora-vm/agora/solana/pubkey"

func (p *proc) escrowCreate(e *EscrowCreate) error {
	if err := p.charge(CostEscrowCreate); err != nil {
		return err
	}
	if err := p.accounts(3); err != nil {
		return err
	}
	if err := checkEscrowParams(e); err != nil {
		return err
	}
	a, b := p.h.Key(0), p.h.Key(2)
	if a == b {
		return fail(InvalidParameter, "the two parties are the same account")
	}
	unlock, ok := add(p.slot, e.LockSlots)
	timeout, ok2 := add(p.slot, e.TimeoutSlots)
	if !ok || !ok2 {
		return fail(Overflow, "slot beyond 2^64")
	}
	if _, ok := add(e.AmountA, e.AmountB); !ok {
		return fail(Overflow, "the deposits sum beyond 2^64")
	}
	seeds, err := p.fresh(1, SeedEscrow, a, idSeed(e.ID), e.Bump)
	if err != nil {
		return err
	}
	st := &Escrow{Bump: e.Bump, Conditions: e.Conditions, OracleOp: e.OracleOp, K: e.K, N: e.N, ID: e.ID,
		A: a, B: b, AmountA: e.AmountA, AmountB: e.AmountB, Oracle: e.Oracle, OracleOffset: e.OracleOffset,
		Threshold: e.Threshold, UnlockSlot: unlock, TimeoutSlot: timeout, CreatedSlot: p.slot, Approvers: e.Approvers}
	if e.Conditions&CondTimeLock == 0 {
		st.UnlockSlot = p.slot
	}
	data := st.Encode()
	need, err := p.rentFor(len(data), e.AmountA)
	if err != nil {
		return err
	}
	if err := p.payer(0, need, "depositor A"); err != nil {
		return err
	}
	if e.AmountB > 0 {
		if err := p.payer(2, e.AmountB, "depositor B"); err != nil {
			return err
		}
	} else if err := p.writable(2, "party B"); err != nil {
		return err
	}
	if err := p.create(0, 1, seeds, data, e.AmountA); err != nil {
		return err
	}
	if e.AmountB > 0 {
		return p.h.SystemTransfer(2, 1, e.AmountB)
	}
	return nil
}

func checkEscrowParams(e *EscrowCreate) error {
	bad := func(msg string) error { return fail(InvalidParameter, "escrow: %s", msg) }
	switch {
	case e.Conditions == 0:
		return bad("no release condition")
	case e.AmountA == 0 && e.AmountB == 0:
		return bad("nothing deposited")
	case e.TimeoutSlots == 0:
		return bad("the timeout must be at least one slot away")
	}
	if e.Conditions&CondOracle == 0 {
		if !e.Oracle.IsZero() || e.OracleOffset != 0 || e.Threshold != 0 || e.OracleOp != 0 {
			return bad("oracle fields without the oracle condition")
		}
	} else if e.Oracle.IsZero() {
		return bad("no oracle account")
	}
	if e.Conditions&CondTimeLock == 0 {
		if e.LockSlots != 0 {
			return bad("lock slots without the time-lock condition")
		}
	} else if e.LockSlots >= e.TimeoutSlots {
		return bad("the time lock must end before the timeout")
	}
	if e.Conditions&CondApprovals == 0 {
		if e.K != 0 || e.N != 0 {
			return bad("approvers without the approvals condition")
		}
	} else if e.K == 0 || e.K > e.N || e.N > MaxApprovers {
		return bad("approvals need 1 <= k <= n <= 8")
	}
	for i, k := range e.Approvers {
		if i >= int(e.N) {
			if !k.IsZero() {
				return bad("approver entries beyond n must be zero")
			}
			continue
		}
		if k.IsZero() {
			return bad("an approver is the zero key")
		}
		for j := range i {
			if e.Approvers[j] == k {
				return bad("an approver is listed twice")
			}
		}
	}
	return nil
}

// loadEscrow reads the escrow at 0 and checks the parties at 1 and 2.
func (p *proc) loadEscrow() (*Escrow, error) {
	if err := p.accounts(3); err != nil {
		return nil, err
	}
	if err := p.writable(0, "the escrow"); err != nil {
		return nil, err
	}
	data, err := p.owned(0, "the escrow")
	if err != nil {
		return nil, err
	}
	st, err := DecodeEscrow(data)
	if err != nil {
		return nil, err
	}
	if st.Status != EscrowFunded {
		what := "released"
		if st.Status == EscrowRefunded {
			what = "refunded"
		}
		return nil, fail(Closed, "the escrow was %s at slot %d", what, st.ClosedSlot)
	}
	for i, k := range []pubkey.Pubkey{st.A, st.B} {
		if err := p.is(1+i, k, "party "+string(rune('A'+i))); err != nil {
			return nil, err
		}
		if err := p.writable(1+i, "a party"); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (p *proc) escrowRelease() error {
	extra := uint64(max(p.h.NumAccounts()-3, 0))
	if err := p.charge(CostEscrowRelease + CostEscrowReleasePerAccount*extra); err != nil {
		return err
	}
	st, err := p.loadEscrow()
	if err != nil {
		return err
	}
	if p.slot >= st.TimeoutSlot {
		return fail(TooLate, "the escrow timed out at slot %d (now %d)", st.TimeoutSlot, p.slot)
	}
	next := 3
	if st.Conditions&CondTimeLock != 0 && p.slot < st.UnlockSlot {
		return fail(TooEarly, "the time lock holds until slot %d (now %d)", st.UnlockSlot, p.slot)
	}
	if st.Conditions&CondOracle != 0 {
		if err := p.accounts(4); err != nil {
			return err
		}
		if err := p.is(3, st.Oracle, "the oracle"); err != nil {
			return err
		}
		data := p.h.AccountData(3)
		off := uint64(st.OracleOffset)
		if off+8 > uint64(len(data)) {
			return fail(ConditionNotMet, "the oracle's %d bytes hold no u64 at offset %d", len(data), off)
		}
		v := le.Uint64(data[off:])
		if !st.OracleOp.holds(v, st.Threshold) {
			return fail(ConditionNotMet, "oracle value %d %s %d is false", v, st.OracleOp, st.Threshold)
		}
		next = 4
	}
	if st.Conditions&CondApprovals != 0 {
		var approved uint32 // bit j: approver j signed
		for i := next; i < p.h.NumAccounts(); i++ {
			if !p.h.IsSigner(i) {
				continue
			}
			k := p.h.Key(i)
			for j := range int(st.N) {
				if st.Approvers[j] == k {
					approved |= 1 << j
				}
			}
		}
		if n := popcount(approved); n < int(st.K) {
			return fail(ConditionNotMet, "%d of the %d approvals needed", n, st.K)
		}
	}
	if st.AmountA > 0 {
		if err := p.h.Move(0, 2, st.AmountA); err != nil {
			return err
		}
	}
	if st.AmountB > 0 {
		if err := p.h.Move(0, 1, st.AmountB); err != nil {
			return err
		}
	}
	st.Status, st.ClosedSlot = EscrowReleased, p.slot
	return p.h.SetData(0, st.Encode())
}

func (p *proc) escrowRefund() error {
	if err := p.charge(CostEscrowRefund); err != nil {
		return err
	}
	st, err := p.loadEscrow()
	if err != nil {
		return err
	}
	if p.slot < st.TimeoutSlot {
		return fail(TooEarly, "refunds open at slot %d (now %d)", st.TimeoutSlot, p.slot)
	}
	if st.AmountA > 0 {
		if err := p.h.Move(0, 1, st.AmountA); err != nil {
			return err
		}
	}
	if st.AmountB > 0 {
		if err := p.h.Move(0, 2, st.AmountB); err != nil {
			return err
		}
	}
	st.Status, st.ClosedSlot = EscrowRefunded, p.slot
	return p.h.SetData(0, st.Encode())
}

func popcount(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}
