// Package zstd stands in for github.com/DataDog/zstd in Agora's build: it
// offers the part of that package's API that Pebble's cgo build uses
// (NewCtx, Ctx.CompressLevel, Ctx.DecompressInto, CompressBound), over the
// pure-Go github.com/klauspost/compress/zstd that Pebble's own non-cgo
// build uses.
//
// Why it exists: Pebble links DataDog/zstd, a cgo wrapper that compiles
// the whole C zstd library, whenever cgo is on. That C compile was about a
// quarter of the CPU time of a cold build of cmd/agora, for a codec Agora's
// store never writes (its tables use Pebble's default, Snappy). The go.mod
// of the agora module replaces DataDog/zstd with this directory. The
// format is standard zstd either way, so a store written with either
// build reads with the other.
package zstd

import (
	"errors"
	"fmt"
	"io"
	"sync"

	kzstd "github.com/klauspost/compress/zstd"
)

// ErrDstTooSmall is returned by Ctx.DecompressInto when the decompressed
// data does not fit in dst.
var ErrDstTooSmall = errors.New("zstd: destination buffer too small")

// CompressBound is the most bytes compressing srcSize bytes can produce:
// zstd's ZSTD_COMPRESSBOUND.
func CompressBound(srcSize int) int {
	bound := srcSize + srcSize>>8
	if srcSize < 128<<10 {
		bound += (128<<10 - srcSize) >> 11
	}
	return bound
}

// Ctx compresses and decompresses; one Ctx is used by one goroutine at a
// time, as with DataDog/zstd.
type Ctx interface {
	// CompressLevel compresses src at a zstd level into dst, using dst's
	// memory when its capacity suffices.
	CompressLevel(dst, src []byte, level int) ([]byte, error)
	// DecompressInto decompresses src into dst and returns the number of
	// bytes written; dst must be large enough.
	DecompressInto(dst, src []byte) (int, error)
}

type ctx struct {
	mu       sync.Mutex
	encoders map[kzstd.EncoderLevel]*kzstd.Encoder
	decoder  *kzstd.Decoder
}

// NewCtx returns a new compression context.
func NewCtx() Ctx { return &ctx{} }

func (c *ctx) CompressLevel(dst, src []byte, level int) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := kzstd.EncoderLevelFromZstd(level)
	enc := c.encoders[l]
	if enc == nil {
		var err error
		enc, err = kzstd.NewWriter(nil, kzstd.WithEncoderLevel(l), kzstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("zstd: encoder at level %d: %w", level, err)
		}
		if c.encoders == nil {
			c.encoders = make(map[kzstd.EncoderLevel]*kzstd.Encoder)
		}
		c.encoders[l] = enc
	}
	return enc.EncodeAll(src, dst[:0]), nil
}

func (c *ctx) DecompressInto(dst, src []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.decoder == nil {
		d, err := kzstd.NewReader(nil, kzstd.WithDecoderConcurrency(1))
		if err != nil {
			return 0, fmt.Errorf("zstd: decoder: %w", err)
		}
		c.decoder = d
	}
	out, err := c.decoder.DecodeAll(src, dst[:0])
	if err != nil {
		return 0, err
	}
	if len(out) > len(dst) || (len(out) > 0 && &out[0] != &dst[0]) {
		return 0, ErrDstTooSmall
	}
	return len(out), nil
}

// Decompress decompresses src, using dst's memory when its capacity
// suffices (the call Pebble v1's cgo build makes, through CometBFT's
// database package).
func Decompress(dst, src []byte) ([]byte, error) {
	d, err := kzstd.NewReader(nil, kzstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("zstd: decoder: %w", err)
	}
	defer d.Close()
	return d.DecodeAll(src, dst[:0])
}

// Writer compresses what is written to it into an underlying writer.
type Writer struct {
	enc *kzstd.Encoder
	err error
}

// NewWriterLevel returns a Writer compressing into w at a zstd level.
func NewWriterLevel(w io.Writer, level int) *Writer {
	enc, err := kzstd.NewWriter(w, kzstd.WithEncoderLevel(kzstd.EncoderLevelFromZstd(level)), kzstd.WithEncoderConcurrency(1))
	return &Writer{enc: enc, err: err}
}

// Write compresses p.
func (w *Writer) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	return w.enc.Write(p)
}

// Close flushes the compressed data.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	return w.enc.Close()
}
