package offload

import (
	"encoding/binary"
	"fmt"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/extnames"
	"github.com/agora-vm/agora/vm"
)

// Syscall names, as programs call them.
const (
	NameQuery  = extnames.HWOffloadQuery
	NameSubmit = extnames.HWOffloadSubmit
	NamePoll   = extnames.HWOffloadPoll
	NameCancel = extnames.HWOffloadCancel
)

// Names lists every syscall of the package, in registration order.
func Names() []string { return []string{NameQuery, NameSubmit, NamePoll, NameCancel} }

// Aliases returns assembler mnemonics for the syscalls (hw_offload_submit
// for `syscall agora_hw_offload_submit`). The map is new on every call.
func Aliases() map[string]string { return extnames.Aliases(Names()...) }

// Poll results.
const (
	PollPending   = 0
	PollDone      = 1
	PollCancelled = 2
)

// Host is a run context that holds the run's task table itself.
type Host interface {
	OffloadTasks() *Tasks
}

// StateHost is a run context with a slot per extension: ExtState returns
// the value stored under key for this run, storing init() first when
// there is none. The Solana runtime's contexts implement it.
type StateHost interface {
	ExtState(key any, init func() any) any
}

type stateKey struct{}

// Tasks is the task table of one run. The zero value is empty and ready.
type Tasks struct {
	list []task
}

type task struct {
	state   uint8  // PollPending, PollDone or PollCancelled
	mark    uint64 // the meter just after submit charged
	latency uint64 // CU to consume after mark before the task is done
	refund  uint64 // CU returned if cancelled while pending
	result  []byte
}

// Len is the number of tasks submitted in the run.
func (t *Tasks) Len() int { return len(t.list) }

func tasksOf(m *vm.Machine) (*Tasks, error) {
	switch h := m.Context().(type) {
	case Host:
		if t := h.OffloadTasks(); t != nil {
			return t, nil
		}
	case StateHost:
		if t, ok := h.ExtState(stateKey{}, func() any { return new(Tasks) }).(*Tasks); ok {
			return t, nil
		}
	}
	return nil, errorf(KindNoTaskTable, "the run's context (%T) keeps no offload task table", m.Context())
}

func (t *Tasks) get(id uint64) (*task, error) {
	if id == 0 || id > uint64(len(t.list)) {
		return nil, errorf(KindUnknownTask, "task %d, the run has submitted %d", id, len(t.list))
	}
	return &t.list[id-1], nil
}

// Register adds the syscalls to r with the CPU backend as accelerator 1.
func Register(r *vm.Registry) error {
	bs, _ := NewBackends(NewCPU(0))
	return RegisterBackends(r, bs)
}

// RegisterBackends adds the syscalls to r, offering the backends of bs.
// It registers nothing when one of the names is already taken.
func RegisterBackends(r *vm.Registry, bs *Backends) error {
	if r == nil || bs == nil {
		return fmt.Errorf("offload: nil registry or backends")
	}
	f := &family{bs: bs}
	table := []struct {
		name string
		fn   vm.SyscallFunc
	}{
		{NameQuery, f.query},
		{NameSubmit, f.submit},
		{NamePoll, f.poll},
		{NameCancel, f.cancel},
	}
	for _, t := range table {
		if name, taken := r.Name(sbpf.SyscallHash(t.name)); taken {
			return fmt.Errorf("offload: syscall %q collides with registered %q", t.name, name)
		}
	}
	for _, t := range table {
		if err := r.Register(t.name, t.fn); err != nil {
			return fmt.Errorf("offload: %w", err)
		}
	}
	return nil
}

type family struct{ bs *Backends }

// Descriptor layout, written by query for each backend.
const (
	DescriptorSize = 24 + MaxPrices*PriceEntrySize
	MaxPrices      = 16
	PriceEntrySize = 16
)

// AppendDescriptor appends b's descriptor (accel id id) to out.
func AppendDescriptor(out []byte, id uint32, b Backend) []byte {
	var d [DescriptorSize]byte
	binary.LittleEndian.PutUint32(d[0:], uint32(b.Kind()))
	binary.LittleEndian.PutUint32(d[4:], id)
	binary.LittleEndian.PutUint64(d[8:], b.Ops())
	binary.LittleEndian.PutUint32(d[16:], b.MaxDim())
	ps := b.Prices()
	ps = ps[:min(len(ps), MaxPrices)]
	binary.LittleEndian.PutUint32(d[20:], uint32(len(ps)))
	for i, p := range ps {
		e := d[24+i*PriceEntrySize:]
		binary.LittleEndian.PutUint32(e[0:], uint32(p.Op))
		binary.LittleEndian.PutUint32(e[4:], p.Base)
		binary.LittleEndian.PutUint32(e[8:], p.UnitsPerCU)
		binary.LittleEndian.PutUint32(e[12:], p.CUPerUnit)
	}
	return append(out, d[:]...)
}

// query is agora_hw_offload_query(out_ptr, out_cap) -> count. It writes
// as many whole descriptors as out_cap holds and returns how many
// backends there are.
func (f *family) query(m *vm.Machine, ptr, capacity, _, _, _ uint64) (uint64, error) {
	n := uint64(f.bs.Len())
	if err := m.Consume(CostQueryBase + CostQueryPerBackend*n); err != nil {
		return 0, err
	}
	fit := min(n, capacity/DescriptorSize)
	if fit == 0 {
		return n, nil
	}
	out, err := m.Translate(vm.Store, ptr, fit*DescriptorSize)
	if err != nil {
		return 0, err
	}
	var buf []byte
	for i := range fit {
		b, _ := f.bs.Get(i + 1)
		buf = AppendDescriptor(buf, uint32(i+1), b)
	}
	copy(out, buf)
	return n, nil
}

// submit is agora_hw_offload_submit(accel_id, req_ptr, req_len) -> task
// id, or 0 with a status at OffStatus of the request.
func (f *family) submit(m *vm.Machine, accel, ptr, length, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostSubmitBase); err != nil {
		return 0, err
	}
	b, ok := f.bs.Get(accel)
	if !ok {
		return 0, errorf(KindUnknownAccelerator, "accel_id %d, the run has %d accelerator(s) (ids 1 to %d)", accel, f.bs.Len(), f.bs.Len())
	}
	tasks, err := tasksOf(m)
	if err != nil {
		return 0, err
	}
	raw, err := m.Translate(vm.Load, ptr, length)
	if err != nil {
		return 0, err
	}
	req, err := DecodeRequest(raw, b.MaxDim())
	if err != nil {
		return 0, err
	}
	price, ok := PriceOf(b, req.Op)
	if !ok || b.Ops()&(1<<req.Op) == 0 {
		return 0, errorf(KindUnsupportedOp, "accelerator %d does not run %s", accel, req.Op)
	}
	if len(tasks.list) >= MaxTasks {
		st, err := m.Translate(vm.Store, ptr+OffStatus, 4)
		if err != nil {
			return 0, err
		}
		binary.LittleEndian.PutUint32(st, StatusQueueFull)
		return 0, nil
	}
	work := price.Cost(req.Units())
	if err := m.Consume(work); err != nil {
		return 0, err
	}
	tasks.list = append(tasks.list, task{
		mark:    m.Remaining(),
		latency: Latency(work),
		refund:  CancelRefund(work),
		result:  b.Run(req),
	})
	return uint64(len(tasks.list)), nil
}

// poll is agora_hw_offload_poll(task_id, out_ptr, out_cap) -> 0 pending,
// 1 done (result written), 2 cancelled.
func (f *family) poll(m *vm.Machine, id, ptr, capacity, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostPollBase); err != nil {
		return 0, err
	}
	tasks, err := tasksOf(m)
	if err != nil {
		return 0, err
	}
	t, err := tasks.get(id)
	if err != nil {
		return 0, err
	}
	switch t.state {
	case PollCancelled:
		return PollCancelled, nil
	case PollPending:
		if spent := t.mark - min(m.Remaining(), t.mark); spent < t.latency {
			return PollPending, nil
		}
	}
	n := uint64(len(t.result))
	if capacity < n {
		return 0, errorf(KindBufferTooSmall, "task %d's result is %d bytes, out_cap is %d", id, n, capacity)
	}
	if err := m.Consume(ceilDiv(n, PollBytesPerCU)); err != nil {
		return 0, err
	}
	out, err := m.Translate(vm.Store, ptr, n)
	if err != nil {
		return 0, err
	}
	copy(out, t.result)
	t.state = PollDone
	return PollDone, nil
}

// cancel is agora_hw_offload_cancel(task_id) -> 0. A pending task is
// cancelled and part of its price returned; a done one is cancelled with
// nothing returned (its work was done).
func (f *family) cancel(m *vm.Machine, id, _, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(CostCancel); err != nil {
		return 0, err
	}
	tasks, err := tasksOf(m)
	if err != nil {
		return 0, err
	}
	t, err := tasks.get(id)
	if err != nil {
		return 0, err
	}
	if t.state == PollCancelled {
		return 0, errorf(KindTaskCancelled, "task %d is already cancelled", id)
	}
	pending := t.state == PollPending && t.mark-min(m.Remaining(), t.mark) < t.latency
	if pending {
		m.Refund(t.refund)
	}
	t.state = PollCancelled
	t.result = nil
	return 0, nil
}
