package verify

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/agora-vm/agora/sbpf"
)

// checkText refuses what no pairing pass can analyse: an unknown
// version, or a text whose length is not a whole number of slots.
func checkText(text []byte, v sbpf.Version) error {
	if !v.Valid() {
		return fmt.Errorf("verify: unknown sBPF version %s", v)
	}
	if len(text)%sbpf.InsnSize != 0 {
		return &Error{Kind: ProgramLengthNotMultiple, PC: -1}
	}
	return nil
}

// noReturnHashes is the hashes of the syscalls that never return.
func noReturnHashes() []uint32 {
	hs := make([]uint32, 0, len(noReturnSyscalls))
	for _, name := range noReturnSyscalls {
		hs = append(hs, sbpf.SyscallHash(name))
	}
	return hs
}

type findingKey struct {
	kind PairingKind
	pc   int
}

// findingSet holds a pairing pass's findings, one per kind and pc.
type findingSet struct {
	findings []PairingFinding
	found    map[findingKey]int // index into findings
}

// add records f, with its source line from lines; of two findings of one
// kind at one pc, a violation (a definite path) beats a not-provable one.
func (s *findingSet) add(f PairingFinding, lines []int) {
	if f.PC >= 0 && f.PC < len(lines) {
		f.Line = lines[f.PC]
	}
	k := findingKey{f.Kind, f.PC}
	if i, ok := s.found[k]; ok {
		if f.Verdict == PairingViolation && s.findings[i].Verdict != PairingViolation {
			s.findings[i] = f
		}
		return
	}
	if s.found == nil {
		s.found = map[findingKey]int{}
	}
	s.found[k] = len(s.findings)
	s.findings = append(s.findings, f)
}

// result sorts the findings and gives the verdict they make: proven with
// none, violated with any violation, not provable otherwise.
func (s *findingSet) result() (PairingVerdict, []PairingFinding) {
	slices.SortFunc(s.findings, func(x, y PairingFinding) int {
		return cmp.Or(cmp.Compare(x.PC, y.PC), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Verdict, y.Verdict))
	})
	verdict := PairingProven
	for _, f := range s.findings {
		if f.Verdict == PairingViolation {
			return PairingViolation, s.findings
		}
		verdict = PairingNotProvable
	}
	return verdict, s.findings
}
