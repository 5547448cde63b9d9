package txn

import (
	"fmt"
	"slices"

	"github.com/agora-vm/agora/solana/pubkey"
)

// MaxMessageKeys is the most account keys, static and loaded together, a
// v0 message may address (its indexes are bytes).
const MaxMessageKeys = 256

// LoadedAddresses are the addresses a v0 message's lookups load: the
// writable entries of every lookup in order, then the read-only ones
// (Agave's LoadedAddresses).
type LoadedAddresses struct {
	Writable []pubkey.Pubkey
	Readonly []pubkey.Pubkey
}

// Len returns the number of loaded addresses.
func (l *LoadedAddresses) Len() int { return len(l.Writable) + len(l.Readonly) }

// LookupIndexes returns how many writable and read-only entries the
// message's lookups load.
func (m *Message) LookupIndexes() (writable, readonly int) {
	for _, l := range m.AddressTableLookups {
		writable += len(l.WritableIndexes)
		readonly += len(l.ReadonlyIndexes)
	}
	return writable, readonly
}

// sanitizeV0 is v0::Message::sanitize: the header fits the static keys,
// a writable signer pays, every lookup loads something, at most 256 keys
// in all, programs come from the static keys and are not the payer, and
// account indexes stay within static and loaded keys.
func (m *Message) sanitizeV0() error {
	h := m.Header
	n := len(m.AccountKeys)
	if int(h.NumRequiredSignatures)+int(h.NumReadonlyUnsignedAccounts) > n {
		return sanitizeErr("header (%d signers, %d read-only unsigned) exceeds the %d account keys", h.NumRequiredSignatures, h.NumReadonlyUnsignedAccounts, n)
	}
	if h.NumReadonlySignedAccounts >= h.NumRequiredSignatures {
		return sanitizeErr("no writable signer to pay the fee (%d signers, %d read-only)", h.NumRequiredSignatures, h.NumReadonlySignedAccounts)
	}
	dynamic := 0
	for i, l := range m.AddressTableLookups {
		k := len(l.WritableIndexes) + len(l.ReadonlyIndexes)
		if k == 0 {
			return sanitizeErr("address table lookup %d loads no account", i)
		}
		dynamic += k
	}
	if n == 0 {
		return sanitizeErr("no account keys")
	}
	total := n + dynamic
	if total > MaxMessageKeys {
		return sanitizeErr("%d account keys (%d static, %d loaded), at most %d", total, n, dynamic, MaxMessageKeys)
	}
	for i, ci := range m.Instructions {
		if int(ci.ProgramIDIndex) >= n {
			return sanitizeErr("instruction %d: program index %d is not a static key (%d static keys)", i, ci.ProgramIDIndex, n)
		}
		if ci.ProgramIDIndex == 0 {
			return sanitizeErr("instruction %d: the fee payer cannot be the program", i)
		}
		for _, a := range ci.Accounts {
			if int(a) >= total {
				return sanitizeErr("instruction %d: account index %d out of range (%d keys)", i, a, total)
			}
		}
	}
	return nil
}

// Resolved is a message with the addresses its lookups loaded: Agave's
// LoadedMessage. For a legacy message it is the message itself. Keys are
// the static keys, then the loaded writable, then the loaded read-only
// ones; instruction account indexes point into Keys.
type Resolved struct {
	Message *Message
	Loaded  LoadedAddresses
	Keys    []pubkey.Pubkey
	// upgradeable reports whether the upgradeable loader is among Keys.
	upgradeable bool
}

// Resolve returns m with its loaded addresses (none for a legacy
// message). It does not check that l matches m's lookups.
func (m *Message) Resolve(l LoadedAddresses) *Resolved {
	r := &Resolved{Message: m, Loaded: l, Keys: m.AccountKeys}
	if l.Len() > 0 {
		r.Keys = make([]pubkey.Pubkey, 0, len(m.AccountKeys)+l.Len())
		r.Keys = append(append(append(r.Keys, m.AccountKeys...), l.Writable...), l.Readonly...)
	}
	for _, k := range r.Keys {
		if k == pubkey.BPFLoaderUpgradeable() {
			r.upgradeable = true
			break
		}
	}
	return r
}

// IsSigner reports whether key i signs (only static keys can).
func (r *Resolved) IsSigner(i int) bool { return r.Message.IsSigner(i) }

// IsWritableIndex reports whether key i is requested writable: by the
// header for a static key, by being among the loaded writable addresses
// otherwise.
func (r *Resolved) IsWritableIndex(i int) bool {
	n := len(r.Message.AccountKeys)
	if i >= n {
		return i-n < len(r.Loaded.Writable)
	}
	return r.Message.IsWritableIndex(i)
}

// IsWritable is IsWritableIndex after Agave's demotions: reserved keys
// are read-only, and so are invoked programs unless the upgradeable
// loader is among the keys.
func (r *Resolved) IsWritable(i int) bool {
	if i >= len(r.Keys) || !r.IsWritableIndex(i) || pubkey.IsReserved(r.Keys[i]) {
		return false
	}
	return !r.Message.IsInvoked(i) || r.upgradeable
}

// LookupTableAccount is an address lookup table's address and the
// addresses it holds, for CompileV0.
type LookupTableAccount struct {
	Key       pubkey.Pubkey
	Addresses []pubkey.Pubkey
}

// CompileV0 builds the message Solana's v0::Message::try_compile builds:
// the keys as Compile orders them, except that every non-signing,
// non-program key found in one of the tables (the first, in order, that
// holds it) is loaded from that table instead: writable keys as writable
// indexes, the others as read-only ones, each in byte order of the keys.
// A table that would load nothing is left out.
func CompileV0(payer pubkey.Pubkey, ixs []Instruction, tables []LookupTableAccount, blockhash Hash) (*Message, error) {
	meta := keyFlagsOf(payer, ixs)
	sorted := make([]pubkey.Pubkey, 0, len(meta.list))
	for _, e := range meta.list {
		sorted = append(sorted, e.key)
	}
	slices.SortFunc(sorted, comparePubkeys)
	var lookups []AddressTableLookup
	var loaded LoadedAddresses
	drained := map[pubkey.Pubkey]bool{}
	for _, t := range tables {
		l := AddressTableLookup{AccountKey: t.Key, WritableIndexes: []uint8{}, ReadonlyIndexes: []uint8{}}
		var w, ro []pubkey.Pubkey
		for _, writable := range []bool{true, false} {
			for _, k := range sorted {
				f := meta.get(k)
				if drained[k] || f.signer || f.invoked || f.writable != writable {
					continue
				}
				pos := -1
				for i, a := range t.Addresses {
					if a == k {
						pos = i
						break
					}
				}
				if pos < 0 {
					continue
				}
				if pos > 255 {
					return nil, fmt.Errorf("txn: %s is at index %d of lookup table %s, past 255", k, pos, t.Key)
				}
				drained[k] = true
				if writable {
					l.WritableIndexes = append(l.WritableIndexes, uint8(pos))
					w = append(w, k)
				} else {
					l.ReadonlyIndexes = append(l.ReadonlyIndexes, uint8(pos))
					ro = append(ro, k)
				}
			}
		}
		if len(w)+len(ro) == 0 {
			continue
		}
		lookups = append(lookups, l)
		loaded.Writable = append(loaded.Writable, w...)
		loaded.Readonly = append(loaded.Readonly, ro...)
	}
	var groups [4][]pubkey.Pubkey
	for _, k := range sorted {
		f := meta.get(k)
		if k == payer || drained[k] {
			continue
		}
		groups[f.group()] = append(groups[f.group()], k)
	}
	keys := []pubkey.Pubkey{payer}
	for _, g := range groups {
		keys = append(keys, g...)
	}
	if len(keys)+loaded.Len() > MaxMessageKeys {
		return nil, fmt.Errorf("txn: %d account keys, at most %d", len(keys)+loaded.Len(), MaxMessageKeys)
	}
	m := &Message{
		Version: V0,
		Header: Header{
			NumRequiredSignatures:       uint8(1 + len(groups[0]) + len(groups[1])),
			NumReadonlySignedAccounts:   uint8(len(groups[1])),
			NumReadonlyUnsignedAccounts: uint8(len(groups[3])),
		},
		AccountKeys:         keys,
		RecentBlockhash:     blockhash,
		AddressTableLookups: lookups,
	}
	all := m.Resolve(loaded).Keys
	index := make(map[pubkey.Pubkey]uint8, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		index[all[i]] = uint8(i)
	}
	for _, ix := range ixs {
		ci := CompiledInstruction{ProgramIDIndex: index[ix.ProgramID], Data: append([]byte{}, ix.Data...), Accounts: []uint8{}}
		for _, a := range ix.Accounts {
			ci.Accounts = append(ci.Accounts, index[a.Pubkey])
		}
		m.Instructions = append(m.Instructions, ci)
	}
	return m, nil
}
