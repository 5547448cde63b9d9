package node

import (
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
)

// parseSystem is jsonParsed for a System program instruction, as
// Agave's parse_system: its type and its named fields and accounts.
// It reports false (the caller renders the instruction partially
// decoded) for data that is no SystemInstruction, for no accounts or
// one past the keys, and for fewer accounts than the variant names.
func parseSystem(keys []pubkey.Pubkey, accounts []uint8, data []byte) (map[string]any, bool) {
	ix, err := system.Decode(data)
	if err != nil || len(accounts) == 0 {
		return nil, false
	}
	for _, a := range accounts {
		if int(a) >= len(keys) {
			return nil, false
		}
	}
	acct := func(i int) string { return keys[accounts[i]].String() }
	var need int
	var typ string
	var info func() map[string]any
	switch ix.Tag {
	case system.TagCreateAccount:
		need, typ = 2, "createAccount"
		info = func() map[string]any {
			return map[string]any{"source": acct(0), "newAccount": acct(1), "lamports": ix.Lamports, "space": ix.Space, "owner": ix.Owner.String()}
		}
	case system.TagAssign:
		need, typ = 1, "assign"
		info = func() map[string]any { return map[string]any{"account": acct(0), "owner": ix.Owner.String()} }
	case system.TagTransfer:
		need, typ = 2, "transfer"
		info = func() map[string]any {
			return map[string]any{"source": acct(0), "destination": acct(1), "lamports": ix.Lamports}
		}
	case system.TagCreateAccountWithSeed:
		need, typ = 2, "createAccountWithSeed"
		info = func() map[string]any {
			return map[string]any{"source": acct(0), "newAccount": acct(1), "base": ix.Base.String(), "seed": ix.Seed,
				"lamports": ix.Lamports, "space": ix.Space, "owner": ix.Owner.String()}
		}
	case system.TagAdvanceNonceAccount:
		need, typ = 3, "advanceNonce"
		info = func() map[string]any {
			return map[string]any{"nonceAccount": acct(0), "recentBlockhashesSysvar": acct(1), "nonceAuthority": acct(2)}
		}
	case system.TagWithdrawNonceAccount:
		need, typ = 5, "withdrawFromNonce"
		info = func() map[string]any {
			return map[string]any{"nonceAccount": acct(0), "destination": acct(1), "recentBlockhashesSysvar": acct(2),
				"rentSysvar": acct(3), "nonceAuthority": acct(4), "lamports": ix.Lamports}
		}
	case system.TagInitializeNonceAccount:
		need, typ = 3, "initializeNonce"
		info = func() map[string]any {
			return map[string]any{"nonceAccount": acct(0), "recentBlockhashesSysvar": acct(1), "rentSysvar": acct(2), "nonceAuthority": ix.Owner.String()}
		}
	case system.TagAuthorizeNonceAccount:
		need, typ = 2, "authorizeNonce"
		info = func() map[string]any {
			return map[string]any{"nonceAccount": acct(0), "nonceAuthority": acct(1), "newAuthorized": ix.Owner.String()}
		}
	case system.TagUpgradeNonceAccount:
		need, typ = 1, "upgradeNonce"
		info = func() map[string]any { return map[string]any{"nonceAccount": acct(0)} }
	case system.TagAllocate:
		need, typ = 1, "allocate"
		info = func() map[string]any { return map[string]any{"account": acct(0), "space": ix.Space} }
	case system.TagAllocateWithSeed:
		need, typ = 2, "allocateWithSeed"
		info = func() map[string]any {
			return map[string]any{"account": acct(0), "base": ix.Base.String(), "seed": ix.Seed, "space": ix.Space, "owner": ix.Owner.String()}
		}
	case system.TagAssignWithSeed:
		need, typ = 2, "assignWithSeed"
		info = func() map[string]any {
			return map[string]any{"account": acct(0), "base": ix.Base.String(), "seed": ix.Seed, "owner": ix.Owner.String()}
		}
	case system.TagTransferWithSeed:
		need, typ = 3, "transferWithSeed"
		info = func() map[string]any {
			return map[string]any{"source": acct(0), "sourceBase": acct(1), "destination": acct(2), "lamports": ix.Lamports,
				"sourceSeed": ix.Seed, "sourceOwner": ix.FromOwner.String()}
		}
	default:
		return nil, false
	}
	if len(accounts) < need {
		return nil, false
	}
	return map[string]any{"type": typ, "info": info()}, true
}
