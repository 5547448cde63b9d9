package store

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// The head file keeps the committed head's height and hash outside
// Pebble's write-ahead log, so that a log that lost its tail cannot
// silently take committed blocks with it. Pebble replays a log up to its
// first damaged record and treats the rest as a torn write, which is
// right after a crash (only unsynced bytes can be torn) but also what a
// truncated or damaged log looks like; the head file tells the two apart.
//
// Order of writes: a block is synced to Pebble first, then its height and
// hash to the head file. A crash between the two leaves the head file one
// block behind Pebble, which is legitimate; Pebble behind the head file is
// not, and Open reports it as a *LostBlocksError before anything is
// written.
//
// The file holds two 64-byte slots; block h goes to slot h%2, written in
// place and synced. A crash tears at most the slot being written, so the
// other slot still holds block h-1.
const (
	headFileName = "AGORA-HEAD"
	headSlotSize = 64
	headSlotUsed = 4 + 8 + 32 + 4 // magic, height, hash, crc32c of the rest
)

var headMagic = [4]byte{'A', 'G', 'H', 'D'}

// keyHeadFile marks a store whose head file exists: a missing file is
// then damage, not a store from before head files.
var keyHeadFile = []byte("mheadfile")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// LostBlocksError reports a ledger that holds fewer blocks than were
// committed: its write-ahead log or tables lost synced data. It wraps
// ErrCorrupt.
type LostBlocksError struct {
	Dir string
	// Committed is the last block known committed (the head file's).
	Committed uint64
	// CommittedHash is its hash.
	CommittedHash [32]byte
	// Found is the head Pebble holds; HasFound is false for none.
	Found    uint64
	HasFound bool
	// Mismatch is true when Pebble holds block Committed but with another
	// hash.
	Mismatch bool
}

func (e *LostBlocksError) Error() string {
	h := hex.EncodeToString(e.CommittedHash[:8])
	switch {
	case e.Mismatch:
		return fmt.Sprintf("store: ledger %s is damaged: block %d was committed with hash %s…, but the ledger holds a different block %d; the ledger must be restored from a checkpoint", e.Dir, e.Committed, h, e.Committed)
	case !e.HasFound:
		return fmt.Sprintf("store: ledger %s is damaged: block %d (hash %s…) was committed, but the ledger holds no blocks (its write-ahead log lost committed data); the ledger must be restored from a checkpoint", e.Dir, e.Committed, h)
	}
	return fmt.Sprintf("store: ledger %s is damaged: block %d (hash %s…) was committed, but the ledger ends at block %d (its write-ahead log lost %d committed block(s)); the ledger must be restored from a checkpoint", e.Dir, e.Committed, h, e.Found, e.Committed-e.Found)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *LostBlocksError) Unwrap() error { return ErrCorrupt }

// headFile is the open head file of a Pebble store.
type headFile struct {
	f      *os.File
	noSync bool // Options.NoSync
}

type headSlot struct {
	height uint64
	hash   [32]byte
}

func encodeHeadSlot(height uint64, hash [32]byte) []byte {
	b := make([]byte, headSlotSize)
	copy(b, headMagic[:])
	binary.LittleEndian.PutUint64(b[4:], height)
	copy(b[12:], hash[:])
	binary.LittleEndian.PutUint32(b[44:], crc32.Checksum(b[:44], castagnoli))
	return b
}

// decodeHeadSlot returns the slot's content, and false for a slot never
// written or torn.
func decodeHeadSlot(b []byte) (headSlot, bool) {
	if len(b) < headSlotUsed || [4]byte(b[:4]) != headMagic ||
		crc32.Checksum(b[:44], castagnoli) != binary.LittleEndian.Uint32(b[44:]) {
		return headSlot{}, false
	}
	var s headSlot
	s.height = binary.LittleEndian.Uint64(b[4:])
	copy(s.hash[:], b[12:44])
	return s, true
}

// readHeadFile returns the newest intact slot of the head file in dir;
// ok is false when no slot is intact, exists false when there is no file.
func readHeadFile(dir string) (s headSlot, ok, exists bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, headFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return headSlot{}, false, false, nil
	}
	if err != nil {
		return headSlot{}, false, true, fmt.Errorf("store: reading the head file: %w", err)
	}
	for i := 0; i+headSlotUsed <= len(b) && i < 2*headSlotSize; i += headSlotSize {
		if c, good := decodeHeadSlot(b[i:]); good && (!ok || c.height > s.height) {
			s, ok = c, true
		}
	}
	return s, ok, true, nil
}

// openHeadFile opens (creating) the head file in dir for writing.
func openHeadFile(dir string) (*headFile, error) {
	f, err := os.OpenFile(filepath.Join(dir, headFileName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("store: opening the head file: %w", err)
	}
	return &headFile{f: f}, nil
}

// write records block height with hash in its slot and syncs it.
func (h *headFile) write(height uint64, hash [32]byte) error {
	if _, err := h.f.WriteAt(encodeHeadSlot(height, hash), int64(height%2)*headSlotSize); err != nil {
		return fmt.Errorf("store: writing the head file: %w", err)
	}
	if h.noSync {
		return nil
	}
	if err := dataSync(h.f); err != nil {
		return fmt.Errorf("store: syncing the head file: %w", err)
	}
	return nil
}

func (h *headFile) close() error { return h.f.Close() }

// syncDir makes a new file's directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}
