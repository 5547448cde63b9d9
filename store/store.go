package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
)

// Key layout: one byte of namespace, then the key.
const (
	nsAccount = 'a' // + address -> account.Encode
	nsBlock   = 'b' // + height (big endian) -> Record
	nsMeta    = 'm' // + name
)

var (
	keyHead   = []byte("mhead")
	keyLtHash = []byte("mlthash")
)

func accountKey(k pubkey.Pubkey) []byte { return append([]byte{nsAccount}, k[:]...) }

func blockKey(h uint64) []byte { return binary.BigEndian.AppendUint64([]byte{nsBlock}, h) }

// kv is the engine under a Store.
type kv interface {
	get(key []byte) ([]byte, bool, error)
	// apply writes sets (nil value: delete) atomically and durably. It
	// may keep the values: the caller does not change them afterwards.
	apply(keys, values [][]byte) error
	snapshot() (kvSnapshot, error)
	scan(prefix []byte, fn func(k, v []byte) error) error
	// scanReverse visits the keys with prefix below upper, last first,
	// while fn returns true.
	scanReverse(prefix, upper []byte, fn func(k, v []byte) (bool, error)) error
	// committed is called after apply wrote a block's head.
	committed(h Header) error
	checkpoint(dir string, head Header, hasAny bool) error
	close() error
}

type kvSnapshot interface {
	get(key []byte) ([]byte, bool, error)
	close() error
}

// Store is the chain's state. Commits are serialized; reads may run at
// any time from any goroutine.
type Store struct {
	db     kv
	mu     sync.Mutex // serializes commits and guards head and lt
	head   Header
	hasAny bool
	lt     LtHash
	// hashes caches the lattice hashes of recently written accounts'
	// committed values (guarded by mu), so that the next block writing
	// one takes its old hash out without hashing it again.
	hashes hashCache
	// spare is an applied block's hash buffer, reused by the next
	// prepare (guarded by mu).
	spare []LtHash
	// writeBehind writes each block on a goroutine after its commit
	// returns (behind.go); flight is the last block so written, set
	// under mu.
	writeBehind bool
	flight      atomic.Pointer[flight]
}

// ErrOutOfOrder is returned by Commit for a block that does not extend
// the head.
var ErrOutOfOrder = errors.New("store: block does not extend the head")

// ErrClosed is returned after Close.
var ErrClosed = errors.New("store: closed")

func open(db kv) (*Store, error) {
	s := &Store{db: db}
	b, ok, err := db.get(keyHead)
	if err != nil {
		return nil, err
	}
	if ok {
		if s.head, err = decodeHeader(b); err != nil {
			return nil, err
		}
		s.hasAny = true
		l, ok, err := db.get(keyLtHash)
		if err != nil {
			return nil, err
		}
		if !ok || !s.lt.SetBytes(l) {
			return nil, fmt.Errorf("%w: state hash missing", ErrCorrupt)
		}
		if s.lt.Checksum() != s.head.StateRoot {
			return nil, fmt.Errorf("%w: state hash does not match block %d", ErrCorrupt, s.head.Height)
		}
	}
	return s, nil
}

// Head returns the last committed block's header, and false when nothing
// is committed yet.
func (s *Store) Head() (Header, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.head, s.hasAny
}

// Account returns the latest committed state of an account; a missing
// account reads as the zero Account.
func (s *Store) Account(k pubkey.Pubkey) (account.Account, error) {
	return readAccount(s.flight.Load(), s.db.get, k)
}

// readAccount reads k from the block being written behind, if it writes
// k, else through get.
func readAccount(f *flight, get func([]byte) ([]byte, bool, error), k pubkey.Pubkey) (account.Account, error) {
	b, ok := f.account(k)
	if !ok {
		var err error
		if b, ok, err = get(accountKey(k)); err != nil {
			return account.Account{}, err
		}
	}
	if !ok || b == nil {
		return account.Account{}, nil
	}
	return account.Decode(b)
}

// Block returns the committed block at height.
func (s *Store) Block(height uint64) (Record, error) {
	if err := s.settle(); err != nil {
		return Record{}, err
	}
	b, ok, err := s.db.get(blockKey(height))
	if err != nil {
		return Record{}, err
	}
	if !ok {
		return Record{}, fmt.Errorf("store: no block %d", height)
	}
	return decodeRecord(b)
}

// Snapshot is a point-in-time view of the accounts.
type Snapshot struct {
	snap kvSnapshot
	head Header
	// flight is the block being written behind when the snapshot was
	// taken: snap may or may not hold it yet.
	flight *flight
}

// Account reads an account as of the snapshot (runtime.AccountReader).
func (sn *Snapshot) Account(k pubkey.Pubkey) (account.Account, error) {
	return readAccount(sn.flight, sn.snap.get, k)
}

// Head returns the header of the block the snapshot was taken after.
func (sn *Snapshot) Head() Header { return sn.head }

// Close releases the snapshot.
func (sn *Snapshot) Close() error { return sn.snap.close() }

// Snapshot returns a view of the state as of the last commit.
func (s *Store) Snapshot() (*Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flight.Load()
	sn, err := s.db.snapshot()
	if err != nil {
		return nil, err
	}
	return &Snapshot{snap: sn, head: s.head, flight: f}, nil
}

// Commit writes a block atomically: its accounts, its record, its
// transactions' history and the new head, in one synced batch. The block must be at height 0 on an empty
// store, else at the head's height plus one. It returns the header
// committed.
func (s *Store) Commit(b *Block) (Header, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.prepare(b)
	if err != nil {
		return Header{}, err
	}
	return s.apply(p)
}

// Pending is a block prepared but not yet written: its header (with the
// state commitment it will have) is known, nothing is stored.
type Pending struct {
	// Header is the header the block will have once applied.
	Header       Header
	parent       Header
	parentExists bool
	keys, values [][]byte
	lt           LtHash
	// hashed[j] is the lattice hash of the value written to written[j],
	// for the hash cache; an account written back unchanged is absent.
	written []pubkey.Pubkey
	hashed  []LtHash
	have    []bool
	// owner is the store that prepared the block: only it reads hashed,
	// and it takes the buffer back once applied.
	owner *Store
}

// Prepare computes what Commit would write for b, the header and its
// state commitment included, and writes nothing: a consensus engine
// learns the commitment of a block before it decides to keep it. Apply
// writes it, as long as no other block was committed in between.
func (s *Store) Prepare(b *Block) (*Pending, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prepare(b)
}

// Apply writes a block Prepare returned, atomically, as Commit does. It
// fails with ErrOutOfOrder when the head moved since the block was
// prepared.
func (s *Store) Apply(p *Pending) (Header, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.parentExists != s.hasAny || p.parent != s.head {
		return Header{}, fmt.Errorf("%w: block %d was prepared over another head", ErrOutOfOrder, p.Header.Height)
	}
	return s.apply(p)
}

func (s *Store) apply(p *Pending) (Header, error) {
	if err := s.settle(); err != nil {
		return Header{}, err
	}
	if s.writeBehind {
		return s.applyBehind(p), nil
	}
	own := p.owner == s
	// The cache of hashes is the store's own and the write reads none of
	// it: a large block fills it beside the write, on another core.
	var cached chan struct{}
	if own && len(p.written) >= parallelHashPuts {
		cached = make(chan struct{})
		go func() {
			defer close(cached)
			s.putHashes(p)
		}()
	}
	err := s.db.apply(p.keys, p.values)
	if cached != nil {
		<-cached
	}
	if err != nil {
		if cached != nil {
			for _, k := range p.written {
				s.hashes.drop(k)
			}
		}
		return Header{}, err
	}
	h := p.Header
	s.head, s.hasAny, s.lt = h, true, p.lt
	if !own {
		// Prepared by another store over an equal head: this store's
		// cached hashes of the accounts written are stale.
		for _, k := range p.written {
			s.hashes.drop(k)
		}
		return h, s.committedHead(h)
	}
	if cached == nil {
		s.putHashes(p)
	}
	s.spare, p.hashed, p.have = p.hashed, nil, nil
	return h, s.committedHead(h)
}

// parallelHashPuts is the number of written accounts from which a commit
// caches their hashes on a goroutine of its own.
const parallelHashPuts = 256

// putHashes caches the hashes of the accounts p wrote.
func (s *Store) putHashes(p *Pending) {
	for j, k := range p.written {
		if p.have[j] {
			s.hashes.put(k, &p.hashed[j])
		}
	}
}

// committedHead tells the engine the head was written.
func (s *Store) committedHead(h Header) error {
	if err := s.db.committed(h); err != nil {
		return fmt.Errorf("block %d is committed, but: %w", h.Height, err)
	}
	return nil
}

// prepare builds a block's writes and header; s.mu is held.
func (s *Store) prepare(b *Block) (*Pending, error) {
	if (!s.hasAny && b.Height != 0) || (s.hasAny && b.Height != s.head.Height+1) {
		return nil, fmt.Errorf("%w: block %d after head %d", ErrOutOfOrder, b.Height, s.head.Height)
	}
	if err := checkHistory(b); err != nil {
		return nil, err
	}
	lt := s.lt
	last := make(map[pubkey.Pubkey]int, len(b.Writes)) // a later write of an account wins
	for i, w := range b.Writes {
		last[w.Key] = i
	}
	final := make([]int, 0, len(last))
	for i, w := range b.Writes {
		if last[w.Key] == i {
			final = append(final, i)
		}
	}
	// Each account's old and new lattice hashes (blake3 XOF, most of a
	// commit's time) are independent, and lattice hashes add modulo 2^16
	// lane by lane, so workers may sum their shares in any order. The
	// transactions' records are encoded on the same workers. Work item j
	// is account final[j], then record j-len(final).
	values := make([][]byte, len(final))
	errs := make([]error, len(final))
	hashed := s.spare
	s.spare = nil
	if cap(hashed) < len(final) {
		hashed = make([]LtHash, len(final))
	}
	hashed = hashed[:len(final)]
	have := make([]bool, len(final))
	hkeys := make([][][]byte, len(b.Txs))
	hvalues := make([][][]byte, len(b.Txs))
	items := len(final) + len(b.Txs)
	share := func(next func() int) (delta LtHash) {
		lh := newLtHasher()
		var oh LtHash
		for j := next(); j < items; j = next() {
			if j >= len(final) {
				k := j - len(final)
				hkeys[k], hvalues[k] = historyWrites(&b.Txs[k])
				continue
			}
			w := &b.Writes[final[j]]
			if w.Account.Lamports != 0 {
				values[j] = w.Account.Encode()
			}
			// An account written back unchanged (as far as its hash
			// sees) adds and removes the same hash: skip both.
			old, ok := b.Prior[w.Key]
			if ok && sameHashInput(&old, &w.Account) {
				continue
			}
			cached := s.hashes.get(w.Key)
			if cached == nil {
				if !ok {
					var err error
					if old, err = s.Account(w.Key); err != nil {
						errs[j] = err
						continue
					}
					if sameHashInput(&old, &w.Account) {
						continue
					}
				}
				lh.sum(w.Key, &old, &oh)
				cached = &oh
			}
			lh.sum(w.Key, &w.Account, &hashed[j])
			have[j] = true
			delta.Sub(cached)
			delta.Add(&hashed[j])
		}
		return delta
	}
	var next atomic.Int64
	claim := func() int { return int(next.Add(1) - 1) }
	if workers := min(b.Workers, items/16); workers > 1 {
		shares := make([]LtHash, workers)
		var wg sync.WaitGroup
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				shares[i] = share(claim)
			}()
		}
		wg.Wait()
		for i := range shares {
			lt.Add(&shares[i])
		}
	} else {
		d := share(claim)
		lt.Add(&d)
	}
	n := len(final) + 3
	for _, ks := range hkeys {
		n += len(ks)
	}
	keys := make([][]byte, 0, n)
	written := make([]pubkey.Pubkey, len(final))
	akeys := make([]byte, 0, len(final)*(1+pubkey.Size)) // one allocation for the account keys
	for j, i := range final {
		if errs[j] != nil {
			return nil, errs[j]
		}
		written[j] = b.Writes[i].Key
		akeys = append(append(akeys, nsAccount), b.Writes[i].Key[:]...)
		keys = append(keys, akeys[len(akeys)-1-pubkey.Size:len(akeys):len(akeys)])
	}
	values = slices.Grow(values, n-len(values))
	for k := range hkeys {
		keys = append(keys, hkeys[k]...)
		values = append(values, hvalues[k]...)
	}
	h := Header{Height: b.Height, Timestamp: b.Timestamp, StateRoot: lt.Checksum(), TxRoot: txRoot(b.Signatures), NumTxs: uint32(len(b.Signatures))}
	if s.hasAny {
		h.Parent = s.head.Hash
	}
	h.Hash = BlockHash(&h)
	rec := Record{Header: h, Signatures: b.Signatures}
	keys = append(keys, blockKey(h.Height), keyHead, keyLtHash)
	values = append(values, rec.encode(), h.encode(), lt.Bytes())
	return &Pending{Header: h, parent: s.head, parentExists: s.hasAny, keys: keys, values: values, lt: lt, written: written, hashed: hashed, have: have, owner: s}, nil
}

// sameHashInput reports whether a and b have the same lattice hash
// under one key without hashing them: equal in every field the hash
// covers, or both closed (zero lamports hash to zero).
func sameHashInput(a, b *account.Account) bool {
	if a.Lamports == 0 || b.Lamports == 0 {
		return a.Lamports == b.Lamports
	}
	return a.Lamports == b.Lamports && a.Executable == b.Executable && a.Owner == b.Owner && bytes.Equal(a.Data, b.Data)
}

// Verify recomputes the state commitment from every stored account and
// checks it, and the hash chain of all blocks, against the head. It
// reads the whole store.
func (s *Store) Verify() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.settle(); err != nil {
		return err
	}
	if !s.hasAny {
		return nil
	}
	var lt, h LtHash
	lh := newLtHasher()
	err := s.db.scan([]byte{nsAccount}, func(k, v []byte) error {
		a, err := account.Decode(v)
		if err != nil {
			return err
		}
		if len(k) != 1+pubkey.Size {
			return fmt.Errorf("%w: account key of %d bytes", ErrCorrupt, len(k))
		}
		lh.sum(pubkey.Pubkey(k[1:]), &a, &h)
		lt.Add(&h)
		return nil
	})
	if err != nil {
		return err
	}
	if lt.Checksum() != s.head.StateRoot {
		return fmt.Errorf("%w: accounts do not match the state root of block %d", ErrCorrupt, s.head.Height)
	}
	var prev [32]byte
	for h := uint64(0); h <= s.head.Height; h++ {
		b, ok, err := s.db.get(blockKey(h))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: block %d missing", ErrCorrupt, h)
		}
		r, err := decodeRecord(b)
		if err != nil {
			return err
		}
		if r.Header.Parent != prev || BlockHash(&r.Header) != r.Header.Hash || r.Header.TxRoot != txRoot(r.Signatures) {
			return fmt.Errorf("%w: block %d breaks the hash chain", ErrCorrupt, h)
		}
		prev = r.Header.Hash
	}
	if prev != s.head.Hash {
		return fmt.Errorf("%w: head is not the last block", ErrCorrupt)
	}
	return nil
}

// Checkpoint writes a consistent copy of the store to dir (a new Pebble
// store that Open reads).
func (s *Store) Checkpoint(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.settle(); err != nil {
		return err
	}
	return s.db.checkpoint(dir, s.head, s.hasAny)
}

// Close waits for a block being written behind, then closes the store; it
// returns that write's error, if any.
func (s *Store) Close() error {
	err := s.settle()
	if cerr := s.db.close(); err == nil {
		err = cerr
	}
	return err
}
