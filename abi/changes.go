package abi

import "bytes"

// Change is what an instruction did to one account.
type Change struct {
	// Index is the account's index in the accounts slice.
	Index int
	Key   [32]byte

	LamportsBefore, LamportsAfter uint64
	OwnerBefore, OwnerAfter       [32]byte
	// DataBefore and DataAfter are the account's data (not copies).
	DataBefore, DataAfter []byte
}

// LamportsChanged reports whether the balance changed.
func (c *Change) LamportsChanged() bool { return c.LamportsBefore != c.LamportsAfter }

// OwnerChanged reports whether the owner changed.
func (c *Change) OwnerChanged() bool { return c.OwnerBefore != c.OwnerAfter }

// DataChanged reports whether the data (content or length) changed.
func (c *Change) DataChanged() bool { return !bytes.Equal(c.DataBefore, c.DataAfter) }

// Diff lists the accounts whose lamports, owner or data differ between
// before and after (as given to Serialize and returned by Deserialize),
// in index order. Accounts beyond the shorter slice are ignored.
func Diff(before, after []Account) []Change {
	var out []Change
	for i := range min(len(before), len(after)) {
		b, a := &before[i], &after[i]
		c := Change{
			Index: i, Key: b.Key,
			LamportsBefore: b.Lamports, LamportsAfter: a.Lamports,
			OwnerBefore: b.Owner, OwnerAfter: a.Owner,
			DataBefore: b.Data, DataAfter: a.Data,
		}
		if c.LamportsChanged() || c.OwnerChanged() || c.DataChanged() {
			out = append(out, c)
		}
	}
	return out
}
