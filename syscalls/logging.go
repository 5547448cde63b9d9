package syscalls

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/mr-tron/base58"

	"github.com/agora-vm/agora/vm"
)

// log is sol_log_(msg, len): it logs "Program log: <msg>".
// Price: max(SyscallBase, len), charged before the string is read.
func (s *set) log(m *vm.Machine, addr, n, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(s.c.Log(n)); err != nil {
		return 0, err
	}
	b, err := TranslateBytes(m, vm.Load, addr, n)
	if err != nil {
		return 0, err
	}
	if err := invalidString(b); err != nil {
		return 0, err
	}
	logLine(m, "Program log: "+string(b))
	return 0, nil
}

// log64 is sol_log_64_(a, b, c, d, e): it logs the five registers in
// lower-case hex, "Program log: 0x1, 0x2, 0x0, 0xff, 0x10".
func (s *set) log64(m *vm.Machine, a, b, c, d, e uint64) (uint64, error) {
	if err := m.Consume(s.c.Log64); err != nil {
		return 0, err
	}
	logLine(m, fmt.Sprintf("Program log: %#x, %#x, %#x, %#x, %#x", a, b, c, d, e))
	return 0, nil
}

// logComputeUnits is sol_log_compute_units_(): it logs the units left after
// its own price, "Program consumption: N units remaining".
func (s *set) logComputeUnits(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(s.c.SyscallBase); err != nil {
		return 0, err
	}
	logLine(m, fmt.Sprintf("Program consumption: %d units remaining", m.Remaining()))
	return 0, nil
}

// logPubkey is sol_log_pubkey(key): it logs the 32-byte key in base58.
func (s *set) logPubkey(m *vm.Machine, addr, _, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(s.c.LogPubkey); err != nil {
		return 0, err
	}
	b, err := TranslateType(m, vm.Load, addr, 32, 1, false)
	if err != nil {
		return 0, err
	}
	logLine(m, "Program log: "+base58.Encode(b))
	return 0, nil
}

// logData is sol_log_data(fields, count): it logs each field in base64,
// separated by spaces, "Program data: aGk= dGhlcmU=". Price: SyscallBase,
// then SyscallBase per field once the array is read, then one unit per byte
// before the fields are read.
func (s *set) logData(m *vm.Machine, addr, count, _, _, _ uint64) (uint64, error) {
	if err := m.Consume(s.c.SyscallBase); err != nil {
		return 0, err
	}
	fields, err := TranslateVMSlices(m, addr, count, checkAligned(m))
	if err != nil {
		return 0, err
	}
	if err := m.Consume(satMul(s.c.SyscallBase, uint64(len(fields)))); err != nil {
		return 0, err
	}
	var total uint64
	for _, f := range fields {
		total = satAdd(total, f.Len)
	}
	if err := m.Consume(total); err != nil {
		return 0, err
	}
	data := make([][]byte, len(fields))
	for i, f := range fields {
		if data[i], err = TranslateBytes(m, vm.Load, f.Ptr, f.Len); err != nil {
			return 0, err
		}
	}
	sink, ok := m.Context().(LogSink)
	if !ok {
		return 0, nil
	}
	// Like Agave, stop encoding once the line is long enough to be
	// truncated anyway: the sink then records "Log truncated" either way.
	avail := ^uint64(0)
	if c, ok := sink.(LogCapacity); ok {
		if n, limited := c.LogBytesLeft(); limited {
			avail = n
		}
	}
	var sb strings.Builder
	sb.WriteString("Program data: ")
	for i, d := range data {
		if avail <= uint64(sb.Len()) {
			break
		}
		if i > 0 {
			sb.WriteByte(' ')
		}
		enc := base64.NewEncoder(base64.StdEncoding, &sb)
		enc.Write(d)
		enc.Close()
	}
	sink.Log(sb.String())
	return 0, nil
}
