package svm

import (
	"errors"

	"github.com/agora-vm/agora/ext/econ"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
)

// processEcon is the economics program (package ext/econ) as a builtin:
// its semantics are econ.Process's; this adapter gives it the instruction
// (econHost) and turns its typed errors into Custom(code), logged with
// their detail.
func processEcon(iv *Invocation) *InstructionError {
	h := &econHost{iv: iv}
	err := econ.Process(h)
	if err == nil {
		return nil
	}
	var e *econ.Error
	if errors.As(err, &e) {
		iv.Log("%s", e.Error())
		return customErr(uint32(e.Code))
	}
	var ie *InstructionError
	if errors.As(err, &ie) {
		return ie
	}
	return ierr(InvalidError)
}

// econHost is econ.Host over an Invocation. Its effects go through the
// account rules of BorrowedAccount, and System effects through the
// System program itself (an inner instruction).
type econHost struct{ iv *Invocation }

func (h *econHost) Data() []byte                { return h.iv.Data() }
func (h *econHost) NumAccounts() int            { return h.iv.NumAccounts() }
func (h *econHost) Key(i int) pubkey.Pubkey     { return h.iv.Key(i) }
func (h *econHost) IsSigner(i int) bool         { return h.iv.IsSigner(i) }
func (h *econHost) IsWritable(i int) bool       { return h.iv.IsWritable(i) }
func (h *econHost) Owner(i int) pubkey.Pubkey   { return h.iv.Account(i).Owner }
func (h *econHost) Lamports(i int) uint64       { return h.iv.Account(i).Lamports }
func (h *econHost) AccountData(i int) []byte    { return h.iv.Account(i).Data }
func (h *econHost) Slot() uint64                { return h.iv.Slot() }
func (h *econHost) RentMinimum(n uint64) uint64 { return h.iv.RentMinimum(n) }
func (h *econHost) Log(msg string)              { h.iv.Log("%s", msg) }
func (h *econHost) SetReturnData(data []byte)   { h.iv.SetReturnData(data) }

func (h *econHost) Consume(cu uint64) error { return nilIfOK(h.iv.Consume(cu)) }

func (h *econHost) CreateAccount(payer, to int, lamports, space uint64, seeds [][]byte) error {
	ix := system.Instruction{Tag: system.TagCreateAccount, Lamports: lamports, Space: space, Owner: econ.ProgramID}
	return nilIfOK(h.iv.NativeInvoke(pubkey.SystemProgram, []int{payer, to}, ix.Encode(), [][][]byte{seeds}))
}

func (h *econHost) SystemTransfer(from, to int, lamports uint64) error {
	ix := system.Instruction{Tag: system.TagTransfer, Lamports: lamports}
	return nilIfOK(h.iv.NativeInvoke(pubkey.SystemProgram, []int{from, to}, ix.Encode(), nil))
}

func (h *econHost) Move(from, to int, lamports uint64) error {
	if err := h.iv.SubLamports(from, lamports); err != nil {
		return err
	}
	return nilIfOK(h.iv.AddLamports(to, lamports))
}

func (h *econHost) SetData(i int, data []byte) error { return nilIfOK(h.iv.SetData(i, data)) }

// nilIfOK keeps a nil *InstructionError from becoming a non-nil error.
func nilIfOK(e *InstructionError) error {
	if e == nil {
		return nil
	}
	return e
}
