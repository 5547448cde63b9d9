package debug

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/mr-tron/base58"
)

// AccountView is one account as the program sees it in its input at the
// current position.
type AccountView struct {
	Pos                          int
	DupOf                        int // -1, or the position this entry repeats
	Key, Owner                   [32]byte
	Lamports                     uint64
	Data                         []byte
	Signer, Writable, Executable bool
}

// Accounts parses the input region as Solana's aligned instruction input
// (the layout `agora run --accounts` builds). It fails for raw runs.
func (d *Debugger) Accounts() ([]AccountView, error) {
	if !slices.Contains(d.t.Features, "mode=instruction") {
		return nil, fmt.Errorf("a raw run: the input is plain bytes, not serialized accounts (use x/NB 0x400000000)")
	}
	in := d.cur.Input
	bad := func(off int) ([]AccountView, error) {
		return nil, fmt.Errorf("input does not parse as accounts at offset %d", off)
	}
	if len(in) < 8 {
		return bad(0)
	}
	n := binary.LittleEndian.Uint64(in)
	if n > 255 {
		return bad(0)
	}
	off := 8
	var out []AccountView
	for pos := range int(n) {
		if off+8 > len(in) {
			return bad(off)
		}
		if in[off] != 0xff {
			out = append(out, AccountView{Pos: pos, DupOf: int(in[off])})
			off += 8
			continue
		}
		a := AccountView{Pos: pos, DupOf: -1, Signer: in[off+1] != 0, Writable: in[off+2] != 0, Executable: in[off+3] != 0}
		off += 8
		if off+32+32+16 > len(in) {
			return bad(off)
		}
		copy(a.Key[:], in[off:])
		copy(a.Owner[:], in[off+32:])
		a.Lamports = binary.LittleEndian.Uint64(in[off+64:])
		dl := binary.LittleEndian.Uint64(in[off+72:])
		off += 80
		if dl > uint64(len(in)-off) {
			return bad(off)
		}
		a.Data = in[off : off+int(dl)]
		off += int(dl) + 10*1024
		off += (8 - off%8) % 8
		off += 8 // rent epoch
		out = append(out, a)
	}
	return out, nil
}

func (r *REPL) infoAccounts() {
	accs, err := r.D.Accounts()
	if err != nil {
		fmt.Fprintf(r.Out, "%v\n", err)
		return
	}
	for _, a := range accs {
		if a.DupOf >= 0 {
			fmt.Fprintf(r.Out, "#%d duplicate of #%d\n", a.Pos, a.DupOf)
			continue
		}
		flags := ""
		if a.Signer {
			flags += " signer"
		}
		if a.Writable {
			flags += " writable"
		}
		if a.Executable {
			flags += " executable"
		}
		fmt.Fprintf(r.Out, "#%d %s lamports %d owner %s data %d bytes%s\n", a.Pos, base58.Encode(a.Key[:]), a.Lamports, base58.Encode(a.Owner[:]), len(a.Data), flags)
	}
}
