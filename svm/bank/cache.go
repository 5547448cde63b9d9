package bank

import (
	"sync"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
)

// Cache bounds: a generation turns old once it holds this many accounts
// or this many bytes of account data, and the old one is dropped, so the
// cache holds at most twice these.
const (
	cacheGenAccounts = 1 << 17
	cacheGenBytes    = 32 << 20
)

// accountCache holds accounts as the head has them, decoded, so that a
// block reads the accounts recent blocks used without going to the
// store (a Pebble read of a large store costs microseconds, most of a
// simple transaction's execution). It has two generations: the accounts
// the latest blocks read or wrote, and the ones before; a block's
// accounts enter the new one at commit. It changes no result: every
// value is the committed one.
//
// Lanes read it concurrently during a block; it changes only while a
// block commits (forget, then put during or after the store write, and
// forget again if the write fails), so a reader never finds a value
// older than the store's; while the block is written it may find the
// block's, as it may in the store.
type accountCache struct {
	mu       sync.RWMutex
	cur, old map[pubkey.Pubkey]account.Account
	curBytes int
}

func newAccountCache() *accountCache {
	return &accountCache{cur: map[pubkey.Pubkey]account.Account{}}
}

// get returns the cached account; the caller must not change its data.
// A nil cache holds nothing.
func (c *accountCache) get(k pubkey.Pubkey) (account.Account, bool) {
	if c == nil {
		return account.Account{}, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if a, ok := c.cur[k]; ok {
		return a, true
	}
	a, ok := c.old[k]
	return a, ok
}

// forget drops the accounts a commit is about to write.
func (c *accountCache) forget(ws []account.Keyed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range ws {
		delete(c.cur, w.Key)
		delete(c.old, w.Key)
	}
}

// put records, after a commit, the accounts the block read as they were
// at its parent (read) and then the values it wrote, as the store now
// holds them (an account left with no lamports is gone: the zero
// Account). The written values are copied.
func (c *accountCache) put(read map[pubkey.Pubkey]account.Account, ws []account.Keyed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, a := range read {
		c.add(k, a)
	}
	for _, w := range ws {
		a := account.Account{}
		if w.Account.Lamports != 0 {
			a = w.Account.Clone()
		}
		c.add(w.Key, a)
	}
}

func (c *accountCache) add(k pubkey.Pubkey, a account.Account) {
	if len(c.cur) >= cacheGenAccounts || c.curBytes >= cacheGenBytes {
		c.old, c.cur, c.curBytes = c.cur, make(map[pubkey.Pubkey]account.Account, len(c.cur)), 0
	}
	if prev, ok := c.cur[k]; ok {
		c.curBytes -= len(prev.Data)
	}
	delete(c.old, k)
	c.cur[k] = a
	c.curBytes += len(a.Data)
}
