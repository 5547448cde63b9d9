package svm

import (
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
)

// address is the System program's Address: the account key and, for the
// *WithSeed instructions, the base that must sign for it.
type address struct {
	key  pubkey.Pubkey
	base *pubkey.Pubkey
}

func (a address) isSigner(signers map[pubkey.Pubkey]bool) bool {
	if a.base != nil {
		return signers[*a.base]
	}
	return signers[a.key]
}

// String is Agave's Debug text of the System program's Address, which
// its logs print: "Address { address: K, base: None }".
func (a address) String() string {
	if a.base == nil {
		return "Address { address: " + a.key.String() + ", base: None }"
	}
	return "Address { address: " + a.key.String() + ", base: Some(" + a.base.String() + ") }"
}

// pubkeyErr is a failed address derivation as Agave's System program
// reports it: the PubkeyError's number as a custom error
// (MaxSeedLengthExceeded 0, InvalidSeeds 1, IllegalOwner 2).
func pubkeyErr(err error) *InstructionError {
	switch err {
	case pubkey.ErrMaxSeedLengthExceeded:
		return customErr(0)
	case pubkey.ErrIllegalOwner:
		return customErr(2)
	}
	return customErr(1)
}

func newAddress(iv *Invocation, key pubkey.Pubkey, base *pubkey.Pubkey, seed string, owner pubkey.Pubkey) (address, *InstructionError) {
	if base == nil {
		return address{key: key}, nil
	}
	derived, err := pubkey.CreateWithSeed(*base, seed, owner)
	if err != nil {
		return address{}, pubkeyErr(err)
	}
	if key != derived {
		iv.Log("Create: address %s does not match derived address %s", key, derived)
		return address{}, customErr(system.ErrAddressWithSeedMismatch)
	}
	return address{key: key, base: base}, nil
}

// processSystem is the System program (Agave's system_processor).
func processSystem(iv *Invocation) *InstructionError {
	if err := iv.Consume(systemProgramCU); err != nil {
		return err
	}
	ix, derr := system.Decode(iv.Data())
	if derr != nil {
		return ierr(InvalidInstructionData)
	}
	signers := iv.Signers()
	switch ix.Tag {
	case system.TagCreateAccount:
		if err := iv.CheckAccounts(2); err != nil {
			return err
		}
		to, err := newAddress(iv, iv.Key(1), nil, "", ix.Owner)
		if err != nil {
			return err
		}
		return createAccount(iv, 0, 1, to, ix.Lamports, ix.Space, ix.Owner, signers)
	case system.TagCreateAccountWithSeed:
		if err := iv.CheckAccounts(2); err != nil {
			return err
		}
		to, err := newAddress(iv, iv.Key(1), &ix.Base, ix.Seed, ix.Owner)
		if err != nil {
			return err
		}
		return createAccount(iv, 0, 1, to, ix.Lamports, ix.Space, ix.Owner, signers)
	case system.TagAssign:
		if err := iv.CheckAccounts(1); err != nil {
			return err
		}
		return assign(iv, 0, address{key: iv.Key(0)}, ix.Owner, signers)
	case system.TagTransfer:
		if err := iv.CheckAccounts(2); err != nil {
			return err
		}
		return transfer(iv, 0, 1, ix.Lamports)
	case system.TagTransferWithSeed:
		if err := iv.CheckAccounts(3); err != nil {
			return err
		}
		if !iv.IsSigner(1) {
			iv.Log("Transfer: 'from' account %s must sign", iv.Key(1))
			return ierr(MissingRequiredSignature)
		}
		derived, err := pubkey.CreateWithSeed(iv.Key(1), ix.Seed, ix.FromOwner)
		if err != nil {
			return pubkeyErr(err)
		}
		if iv.Key(0) != derived {
			iv.Log("Transfer: 'from' address %s does not match derived address %s", iv.Key(0), derived)
			return customErr(system.ErrAddressWithSeedMismatch)
		}
		return transferVerified(iv, 0, 2, ix.Lamports)
	case system.TagAllocate:
		if err := iv.CheckAccounts(1); err != nil {
			return err
		}
		return allocate(iv, 0, address{key: iv.Key(0)}, ix.Space, signers)
	case system.TagAllocateWithSeed:
		if err := iv.CheckAccounts(1); err != nil {
			return err
		}
		a, err := newAddress(iv, iv.Key(0), &ix.Base, ix.Seed, ix.Owner)
		if err != nil {
			return err
		}
		if err := allocate(iv, 0, a, ix.Space, signers); err != nil {
			return err
		}
		return assign(iv, 0, a, ix.Owner, signers)
	case system.TagAssignWithSeed:
		if err := iv.CheckAccounts(1); err != nil {
			return err
		}
		a, err := newAddress(iv, iv.Key(0), &ix.Base, ix.Seed, ix.Owner)
		if err != nil {
			return err
		}
		return assign(iv, 0, a, ix.Owner, signers)
	}
	return processNonce(iv, ix, signers)
}

func createAccount(iv *Invocation, from, to int, toAddr address, lamports, space uint64, owner pubkey.Pubkey, signers map[pubkey.Pubkey]bool) *InstructionError {
	if iv.Account(to).Lamports > 0 {
		iv.Log("Create Account: account %s already in use", toAddr)
		return customErr(system.ErrAccountAlreadyInUse)
	}
	if err := allocate(iv, to, toAddr, space, signers); err != nil {
		return err
	}
	if err := assign(iv, to, toAddr, owner, signers); err != nil {
		return err
	}
	return transfer(iv, from, to, lamports)
}

func allocate(iv *Invocation, i int, a address, space uint64, signers map[pubkey.Pubkey]bool) *InstructionError {
	if !a.isSigner(signers) {
		iv.Log("Allocate: 'to' account %s must sign", a)
		return ierr(MissingRequiredSignature)
	}
	acc := iv.Account(i)
	if len(acc.Data) != 0 || acc.Owner != pubkey.SystemProgram() {
		iv.Log("Allocate: account %s already in use", a)
		return customErr(system.ErrAccountAlreadyInUse)
	}
	if space > maxPermittedDataLength {
		iv.Log("Allocate: requested %d, max allowed %d", space, maxPermittedDataLength)
		return customErr(system.ErrInvalidAccountDataLength)
	}
	return iv.SetDataLength(i, int(space))
}

func assign(iv *Invocation, i int, a address, owner pubkey.Pubkey, signers map[pubkey.Pubkey]bool) *InstructionError {
	if iv.Account(i).Owner == owner {
		return nil
	}
	if !a.isSigner(signers) {
		iv.Log("Assign: account %s must sign", a)
		return ierr(MissingRequiredSignature)
	}
	return iv.SetOwner(i, owner)
}

func transfer(iv *Invocation, from, to int, lamports uint64) *InstructionError {
	if !iv.IsSigner(from) {
		iv.Log("Transfer: `from` account %s must sign", iv.Key(from))
		return ierr(MissingRequiredSignature)
	}
	return transferVerified(iv, from, to, lamports)
}

func transferVerified(iv *Invocation, from, to int, lamports uint64) *InstructionError {
	f := iv.Account(from)
	if len(f.Data) != 0 {
		iv.Log("Transfer: `from` must not carry data")
		return ierr(InvalidArgument)
	}
	if lamports > f.Lamports {
		iv.Log("Transfer: insufficient lamports %d, need %d", f.Lamports, lamports)
		return customErr(system.ErrResultWithNegativeLamports)
	}
	if err := iv.SubLamports(from, lamports); err != nil {
		return err
	}
	return iv.AddLamports(to, lamports)
}

// seedErr is a failed program-address derivation outside the System
// program, as the named instruction errors.
func seedErr(err error) *InstructionError {
	switch err {
	case pubkey.ErrMaxSeedLengthExceeded:
		return ierr(MaxSeedLengthExceeded)
	case pubkey.ErrIllegalOwner:
		return ierr(IllegalOwner)
	}
	return ierr(InvalidSeeds)
}
