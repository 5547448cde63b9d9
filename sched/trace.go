package sched

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// Trace records when each lane ran each transaction, for a timeline. It
// reads the wall clock, and what it records changes no result. One Trace
// may follow several blocks.
type Trace struct {
	origin time.Time
	mu     sync.Mutex
	// chunks are the lanes' buffers as they were handed over: a long
	// trace is never copied to grow.
	chunks [][]Slice
}

// Slice is one transaction's phase on one lane.
type Slice struct {
	// Lane is the worker, from 0.
	Lane int
	// Phase is "verify" (sanitization, signatures, admission and cost) or
	// "execute".
	Phase string
	// Slot is the block; Tx the transaction's index in it.
	Slot uint64
	Tx   int
	// Start is the time since the trace began; Dur how long it took.
	Start, Dur time.Duration
}

// NewTrace starts a trace now.
func NewTrace() *Trace { return &Trace{origin: time.Now()} }

func (t *Trace) add(s []Slice) {
	t.mu.Lock()
	t.chunks = append(t.chunks, s)
	t.mu.Unlock()
}

// Each calls f on every slice recorded so far, in no particular order:
// for sums, without the copy and sort of Slices.
func (t *Trace) Each(f func(Slice)) {
	t.mu.Lock()
	chunks := slices.Clone(t.chunks)
	t.mu.Unlock()
	for _, c := range chunks {
		for _, s := range c {
			f(s)
		}
	}
}

// Slices returns what was recorded, by start time (then lane).
func (t *Trace) Slices() []Slice {
	t.mu.Lock()
	out := slices.Concat(t.chunks...)
	t.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Slice) int {
		if a.Start != b.Start {
			return int(a.Start - b.Start)
		}
		return a.Lane - b.Lane
	})
	return out
}

// chromeEvent is one entry of the Chrome trace-event format, which
// Perfetto and chrome://tracing open: "X" is a complete slice, "M" names
// a track.
type chromeEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"`
	Dur  float64        `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	Args map[string]any `json:"args,omitempty"`
}

// WriteJSON writes the trace as Chrome trace-event JSON: one track per
// lane, one slice per transaction and phase, times in microseconds.
func (t *Trace) WriteJSON(w io.Writer) error {
	ss := t.Slices()
	lanes := 0
	for _, s := range ss {
		lanes = max(lanes, s.Lane+1)
	}
	events := []chromeEvent{{Name: "process_name", Ph: "M", Pid: 1, Args: map[string]any{"name": "agora sched"}}}
	for l := range lanes {
		events = append(events, chromeEvent{Name: "thread_name", Ph: "M", Pid: 1, Tid: l, Args: map[string]any{"name": fmt.Sprintf("lane %d", l)}})
	}
	for _, s := range ss {
		events = append(events, chromeEvent{
			Name: fmt.Sprintf("%s tx %d", s.Phase, s.Tx), Cat: s.Phase, Ph: "X",
			Ts: float64(s.Start.Nanoseconds()) / 1e3, Dur: max(float64(s.Dur.Nanoseconds())/1e3, 0.001),
			Pid: 1, Tid: s.Lane, Args: map[string]any{"slot": s.Slot, "tx": s.Tx},
		})
	}
	bw := bufio.NewWriter(w)
	if err := json.NewEncoder(bw).Encode(map[string]any{"traceEvents": events, "displayTimeUnit": "ns"}); err != nil {
		return err
	}
	return bw.Flush()
}
