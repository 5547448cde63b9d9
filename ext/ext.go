// Package ext composes Agora's extension syscall families — one package
// each under ext/ — into what a runtime or tool registers: the syscalls
// and the assembler mnemonics that name them.
//
// Every extension is a syscall named agora_*, hashed and relocated like
// Solana's own (docs/extensions.md), so programs built by any sBPF toolchain can
// call it. This package adds no behaviour of its own.
package ext

import (
	"fmt"
	"maps"

	"github.com/agora-vm/agora/ext/crypto"
	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/ext/flow"
	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/ext/modules"
	"github.com/agora-vm/agora/ext/offload"
	"github.com/agora-vm/agora/ext/ring"
	"github.com/agora-vm/agora/ext/txmem"
	"github.com/agora-vm/agora/ext/zk"
	"github.com/agora-vm/agora/vm"
)

// family is one extension package's entry points.
type family struct {
	name     string
	register func(*vm.Registry) error
	aliases  func() map[string]string
}

func families() []family {
	return []family{
		{"ext/txmem", txmem.Register, txmem.Aliases},
		{"ext/ring", ring.Register, ring.Aliases},
		{"ext/crypto", crypto.Register, crypto.Mnemonics},
		{"ext/zk", zk.Register, nil},
		{"ext/econ", econ.Register, econ.Mnemonics},
		{"ext/flow", flow.Register, flow.Aliases},
		{"ext/offload", offload.Register, offload.Aliases},
		{"ext/lanes", lanes.Register, lanes.Aliases},
		{"ext/modules", modules.Register, modules.Aliases},
	}
}

// Register adds every extension family's syscalls to r.
func Register(r *vm.Registry) error {
	for _, f := range families() {
		if err := f.register(r); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

// Aliases returns the assembler mnemonics of every family (tx_begin for
// `syscall agora_tx_begin`, ...), for asm.Options.Aliases.
func Aliases() map[string]string {
	out := map[string]string{}
	for _, f := range families() {
		if f.aliases != nil {
			maps.Copy(out, f.aliases())
		}
	}
	return out
}
