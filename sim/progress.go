package sim

import (
	"fmt"
	"io"
	"time"
)

// progress draws a one-line progress bar: the round, transactions per
// second and the time left. It writes nothing without a writer.
type progress struct {
	w        io.Writer
	start    time.Time
	last     time.Time
	cur      int
	rounds   int
	kind     string
	txs      int
	roundTxs int
}

func newProgress(w io.Writer) *progress { return &progress{w: w, start: time.Now()} }

func (p *progress) phase(msg string) {
	if p.w != nil {
		fmt.Fprintf(p.w, "\r\033[K%s...", msg)
	}
}

func (p *progress) startRound(r, rounds int, kind string) {
	if p.cur == 0 && r == 0 {
		p.start = time.Now()
	}
	p.cur, p.rounds, p.kind, p.roundTxs = r, rounds, kind, 0
	p.draw(true)
}

func (p *progress) blockDone(txs int) {
	p.txs += txs
	p.roundTxs += txs
	p.draw(false)
}

func (p *progress) draw(force bool) {
	if p.w == nil {
		return
	}
	now := time.Now()
	if !force && now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	el := now.Sub(p.start).Seconds()
	tps := 0.0
	if el > 0 {
		tps = float64(p.txs) / el
	}
	const width = 24
	filled := 0
	if p.rounds > 0 {
		filled = p.cur * width / p.rounds
	}
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '.'
		if i < filled {
			bar[i] = '#'
		}
	}
	eta := "?"
	if p.cur > 0 {
		left := el / float64(p.cur) * float64(p.rounds-p.cur)
		eta = (time.Duration(left) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r\033[K[%s] round %d/%d (%s) %d txs, %.0f tx/s, ETA %s", bar, p.cur+1, p.rounds, p.kind, p.txs, tps, eta)
}

func (p *progress) done() {
	if p.w != nil {
		fmt.Fprintf(p.w, "\r\033[K")
	}
}
