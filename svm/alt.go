package svm

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"

	"github.com/agora-vm/agora/solana/alt"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// processALT is the Address Lookup Table program (Agave's
// address-lookup-table processor): 750 CU, then the instruction.
func processALT(iv *Invocation) *InstructionError {
	if err := iv.Consume(alt.ComputeUnits); err != nil {
		return err
	}
	ix, err := alt.DecodeInstruction(iv.Data())
	if err != nil {
		return ierr(InvalidInstructionData)
	}
	switch ix.Tag {
	case alt.TagCreate:
		return altCreate(iv, ix.RecentSlot, ix.BumpSeed)
	case alt.TagFreeze:
		return altFreeze(iv)
	case alt.TagExtend:
		return altExtend(iv, ix.NewAddresses)
	case alt.TagDeactivate:
		return altDeactivate(iv)
	}
	return altClose(iv)
}

// altInvoke is InvokeContext::native_invoke of an instruction built for
// the System program: the callee's privileges come from the metas, and
// signers may sign besides the instruction's own signers.
func altInvoke(iv *Invocation, ix txn.Instruction, signers ...pubkey.Pubkey) *InstructionError {
	metas := make([]cpiMeta, len(ix.Accounts))
	for i, a := range ix.Accounts {
		metas[i] = cpiMeta{key: a.Pubkey, signer: a.IsSigner, writable: a.IsWritable}
	}
	callee, err := iv.tc.prepareCPI(iv.f, ix.ProgramID, metas, ix.Data, signers)
	if err != nil {
		return err
	}
	return iv.tc.process(callee)
}

// altAccount fails as try_borrow_instruction_account does for a missing
// account.
func altAccount(iv *Invocation, i int) *InstructionError {
	if i >= iv.NumAccounts() {
		return ierr(NotEnoughAccountKeys)
	}
	return nil
}

// altTable decodes instruction account 0 as a table, with the errors of
// AddressLookupTable::deserialize.
func altTable(iv *Invocation) (*alt.Table, *InstructionError) {
	t, err := alt.Decode(iv.Account(0).Data)
	switch {
	case errors.Is(err, alt.ErrUninitialized):
		return nil, ierr(UninitializedAccount)
	case err != nil:
		return nil, ierr(InvalidAccountData)
	}
	return t, nil
}

// altOwnedAndSigned checks the table's owner and the authority's
// signature (accounts 0 and 1), and returns the authority's key.
func altOwnedAndSigned(iv *Invocation) (pubkey.Pubkey, *InstructionError) {
	if err := altAccount(iv, 0); err != nil {
		return pubkey.Pubkey{}, err
	}
	if iv.Account(0).Owner != alt.ID() {
		return pubkey.Pubkey{}, ierr(InvalidAccountOwner)
	}
	if err := altAccount(iv, 1); err != nil {
		return pubkey.Pubkey{}, err
	}
	if !iv.IsSigner(1) {
		iv.Log("Authority account must be a signer")
		return pubkey.Pubkey{}, ierr(MissingRequiredSignature)
	}
	return iv.Key(1), nil
}

// altAuthorizedTable decodes the table (account 0) and checks that auth
// is its authority (altAuthority), as every instruction after creation
// does before its own checks.
func altAuthorizedTable(iv *Invocation, auth pubkey.Pubkey, frozenMsg string) (*alt.Table, *InstructionError) {
	t, err := altTable(iv)
	if err != nil {
		return nil, err
	}
	if err := altAuthority(iv, t, auth, frozenMsg); err != nil {
		return nil, err
	}
	return t, nil
}

// altAuthority checks that t is not frozen and auth is its authority.
func altAuthority(iv *Invocation, t *alt.Table, auth pubkey.Pubkey, frozenMsg string) *InstructionError {
	if t.Meta.Authority == nil {
		if frozenMsg != "" {
			iv.Log("%s", frozenMsg)
		}
		return ierr(Immutable)
	}
	if *t.Meta.Authority != auth {
		return ierr(IncorrectAuthority)
	}
	return nil
}

func altWriteMeta(iv *Invocation, m alt.Meta) *InstructionError {
	data := append([]byte(nil), iv.Account(0).Data...)
	alt.PutMeta(data, m)
	return iv.SetData(0, data)
}

func altCreate(iv *Invocation, recentSlot uint64, bump uint8) *InstructionError {
	for i := range 3 {
		if err := altAccount(iv, i); err != nil {
			return err
		}
	}
	table := iv.Account(0)
	tableKey, tableLamports, tableOwner := iv.Key(0), table.Lamports, table.Owner
	authority, payer := iv.Key(1), iv.Key(2)
	if !iv.IsSigner(2) {
		iv.Log("Payer account must be a signer")
		return ierr(MissingRequiredSignature)
	}
	if _, ok := iv.tc.env.Sysvars.SlotHashes.Position(recentSlot); !ok {
		iv.Log("%d is not a recent slot", recentSlot)
		return ierr(InvalidInstructionData)
	}
	derived, err := pubkey.CreateProgramAddress([][]byte{authority[:], binary.LittleEndian.AppendUint64(nil, recentSlot), {bump}}, alt.ID())
	if err != nil {
		return seedErr(err)
	}
	if tableKey != derived {
		iv.Log("Table address must match derived address: %s", derived)
		return ierr(InvalidArgument)
	}
	if tableOwner == alt.ID() {
		return nil
	}
	need := max(iv.RentMinimum(alt.MetaSize), 1)
	if need > tableLamports {
		if err := altInvoke(iv, system.Transfer(payer, tableKey, need-tableLamports), payer); err != nil {
			return err
		}
	}
	if err := altInvoke(iv, system.Allocate(tableKey, alt.MetaSize), tableKey); err != nil {
		return err
	}
	if err := altInvoke(iv, system.Assign(tableKey, alt.ID()), tableKey); err != nil {
		return err
	}
	// set_state: the meta over the allocated data.
	return altWriteMeta(iv, alt.NewMeta(authority))
}

func altFreeze(iv *Invocation) *InstructionError {
	auth, err := altOwnedAndSigned(iv)
	if err != nil {
		return err
	}
	t, err := altAuthorizedTable(iv, auth, "Lookup table is already frozen")
	if err != nil {
		return err
	}
	if t.Meta.DeactivationSlot != math.MaxUint64 {
		iv.Log("Deactivated tables cannot be frozen")
		return ierr(InvalidArgument)
	}
	if len(t.Addresses) == 0 {
		iv.Log("Empty lookup tables cannot be frozen")
		return ierr(InvalidInstructionData)
	}
	m := t.Meta
	m.Authority = nil
	return altWriteMeta(iv, m)
}

func altExtend(iv *Invocation, addrs []pubkey.Pubkey) *InstructionError {
	auth, err := altOwnedAndSigned(iv)
	if err != nil {
		return err
	}
	tableKey, tableLamports := iv.Key(0), iv.Account(0).Lamports
	t, err := altAuthorizedTable(iv, auth, "")
	if err != nil {
		return err
	}
	if t.Meta.DeactivationSlot != math.MaxUint64 {
		iv.Log("Deactivated tables cannot be extended")
		return ierr(InvalidArgument)
	}
	if len(t.Addresses) >= alt.MaxAddresses {
		iv.Log("Lookup table is full and cannot contain more addresses")
		return ierr(InvalidArgument)
	}
	if len(addrs) == 0 {
		iv.Log("Must extend with at least one address")
		return ierr(InvalidInstructionData)
	}
	n := len(t.Addresses) + len(addrs)
	if n > alt.MaxAddresses {
		iv.Log("Extended lookup table length %d would exceed max capacity of %d", n, alt.MaxAddresses)
		return ierr(InvalidInstructionData)
	}
	m := t.Meta
	if slot := iv.Slot(); slot != m.LastExtendedSlot {
		m.LastExtendedSlot = slot
		m.LastExtendedSlotStartIndex = uint8(len(t.Addresses)) // < 256: checked above
	}
	data := append([]byte(nil), iv.Account(0).Data...)
	if err := iv.tc.canChange(iv.f, iv.f.accounts[0].tx); err != nil {
		return err
	}
	alt.PutMeta(data, m)
	for _, a := range addrs {
		data = append(data, a[:]...)
	}
	if err := iv.SetData(0, data); err != nil {
		return err
	}
	need := max(iv.RentMinimum(uint64(alt.MetaSize+n*pubkey.Size)), 1)
	if need <= tableLamports {
		return nil
	}
	if err := altAccount(iv, 2); err != nil {
		return err
	}
	payer := iv.Key(2)
	if !iv.IsSigner(2) {
		iv.Log("Payer account must be a signer")
		return ierr(MissingRequiredSignature)
	}
	return altInvoke(iv, system.Transfer(payer, tableKey, need-tableLamports), payer)
}

func altDeactivate(iv *Invocation) *InstructionError {
	auth, err := altOwnedAndSigned(iv)
	if err != nil {
		return err
	}
	t, err := altAuthorizedTable(iv, auth, "Lookup table is frozen")
	if err != nil {
		return err
	}
	if t.Meta.DeactivationSlot != math.MaxUint64 {
		iv.Log("Lookup table is already deactivated")
		return ierr(InvalidArgument)
	}
	m := t.Meta
	m.DeactivationSlot = iv.Slot()
	return altWriteMeta(iv, m)
}

func altClose(iv *Invocation) *InstructionError {
	auth, err := altOwnedAndSigned(iv)
	if err != nil {
		return err
	}
	if err := iv.CheckAccounts(3); err != nil {
		return err
	}
	if iv.f.accounts[0].tx == iv.f.accounts[2].tx {
		iv.Log("Lookup table cannot be the recipient of reclaimed lamports")
		return ierr(InvalidArgument)
	}
	withdrawn := iv.Account(0).Lamports
	t, err := altAuthorizedTable(iv, auth, "Lookup table is frozen")
	if err != nil {
		return err
	}
	switch st, left := t.Meta.Status(iv.Slot(), iv.tc.env.Sysvars.SlotHashes); st {
	case alt.Activated:
		iv.Log("Lookup table is not deactivated")
		return ierr(InvalidArgument)
	case alt.Deactivating:
		iv.Log("Table cannot be closed until it's fully deactivated in %d blocks", left)
		return ierr(InvalidArgument)
	}
	if err := iv.AddLamports(2, withdrawn); err != nil {
		return err
	}
	if err := iv.SetDataLength(0, 0); err != nil {
		return err
	}
	return iv.SetLamports(0, 0)
}

// ResolveAddresses loads the addresses of a v0 message's lookups from
// the tables in r as of env's slot and SlotHashes (Agave's
// load_lookup_table_addresses): the writable ones of every lookup in
// order, then the read-only ones. A legacy message loads nothing.
func ResolveAddresses(m *txn.Message, r AccountReader, env *Env) (txn.LoadedAddresses, *TransactionError) {
	var out txn.LoadedAddresses
	for i, l := range m.AddressTableLookups {
		a, err := r.Account(l.AccountKey)
		if err != nil || !a.Exists() {
			return txn.LoadedAddresses{}, txErr(AddressLookupTableNotFound, l.AccountKey.String())
		}
		if a.Owner != alt.ID() {
			return txn.LoadedAddresses{}, txErr(InvalidAddressLookupTableOwner, l.AccountKey.String()+" is owned by "+a.Owner.String())
		}
		t, derr := alt.Decode(a.Data)
		if derr != nil {
			return txn.LoadedAddresses{}, txErr(InvalidAddressLookupTableData, l.AccountKey.String())
		}
		w, lerr := t.Lookup(env.Slot, l.WritableIndexes, env.Sysvars.SlotHashes)
		var ro []pubkey.Pubkey
		if lerr == nil {
			ro, lerr = t.Lookup(env.Slot, l.ReadonlyIndexes, env.Sysvars.SlotHashes)
		}
		switch {
		case errors.Is(lerr, alt.ErrInactive):
			return txn.LoadedAddresses{}, txErr(AddressLookupTableNotFound, l.AccountKey.String()+" is deactivated")
		case lerr != nil:
			return txn.LoadedAddresses{}, txErr(InvalidAddressLookupTableIndex, lerr.Error()+" (lookup "+strconv.Itoa(i)+")")
		}
		out.Writable = append(out.Writable, w...)
		out.Readonly = append(out.Readonly, ro...)
	}
	return out, nil
}
