package main

import (
	"fmt"

	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/verify/deep"
	"github.com/agora-vm/agora/vm"
)

// lanePairing runs the parallel-lane analysis (spawn/join pairing and
// write overlap between concurrent children) over a loaded program. A
// program whose spawns and joins do not pair is rejected with a
// laneFailure.
func lanePairing(l *loaded) (*verify.LaneReport, error) {
	p := l.program
	rep, err := verify.LanePairing(p.Text, p.Version, &verify.LaneOptions{
		Entry: p.Entry, Functions: p.Functions, Syscalls: l.registry, Names: l.registry.Name, Lines: l.lines,
		HeapSize: max(vm.DefaultConfig().HeapSize, l.heapSize), ROData: p.ROData, RODataVAddr: p.RODataVAddr,
	})
	if err != nil {
		return nil, &exitError{code: exitBadCall, err: fmt.Errorf("%s: %w", l.path, err)}
	}
	if rep.Verdict == verify.PairingViolation {
		return rep, &exitError{code: exitBadCall, err: &laneFailure{path: l.path, report: rep}}
	}
	return rep, nil
}

// laneFailure is a program whose spawns and joins do not pair on some
// path.
type laneFailure struct {
	path   string
	report *verify.LaneReport
}

func (p *laneFailure) Error() string {
	return fmt.Sprintf("%s: rejected by the verifier: %s", p.path, p.report)
}

// laneFindings lists the pairing findings for JSON output, in the form
// of the transaction pairing's.
func laneFindings(r *verify.LaneReport) []map[string]any {
	return pairingFindings(&verify.PairingReport{Findings: r.Findings})
}

// laneOverlaps lists the overlap verdicts for JSON output.
func laneOverlaps(r *verify.LaneReport) []map[string]any {
	out := []map[string]any{}
	for _, o := range r.Overlaps {
		if o.Parent {
			out = append(out, map[string]any{"spawns": []int{o.SpawnA}, "parent": true, "verdict": o.Verdict.String(), "message": o.Message})
			continue
		}
		out = append(out, map[string]any{"spawns": []int{o.SpawnA, o.SpawnB}, "verdict": o.Verdict.String(), "message": o.Message})
	}
	return out
}

// addLanes puts the lane analysis into a deep report: pairing is proven
// or unknown (a violation was rejected before), and each pair of
// concurrent children is proven disjoint or unknown — a possible
// overlap is never called safe.
func addLanes(rep *deep.Report, lr *verify.LaneReport) {
	if !lr.Uses {
		return
	}
	switch lr.Verdict {
	case verify.PairingProven:
		rep.Proven = append(rep.Proven, "lanes: every spawned child is joined at most once, and joined or fenced before its lane exits, on every path")
	default:
		for _, f := range lr.Findings {
			rep.Unknown = append(rep.Unknown, fmt.Sprintf("lanes: pc %d: %s: %s", f.PC, f.Kind, f.Message))
		}
	}
	for _, o := range lr.Overlaps {
		msg := fmt.Sprintf("lanes: the children spawned at pc %d and pc %d: %s", o.SpawnA, o.SpawnB, o.Message)
		if o.Parent {
			msg = fmt.Sprintf("lanes: the child spawned at pc %d and its parent: %s", o.SpawnA, o.Message)
		}
		if o.Verdict == verify.OverlapDisjoint {
			rep.Proven = append(rep.Proven, msg)
		} else {
			rep.Unknown = append(rep.Unknown, msg)
		}
	}
}
