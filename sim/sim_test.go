package sim

import (
	"context"
	"maps"
	"math/bits"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/agora-vm/agora/ext/econ"
)

func load(t *testing.T, path string) *Scenario {
	t.Helper()
	sc, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func small(t *testing.T, sc *Scenario, agents, rounds int) *Summary {
	t.Helper()
	return smallOn(t, sc, agents, rounds, 1, true)
}

func smallOn(t *testing.T, sc *Scenario, agents, rounds, lanes int, sigverify bool) *Summary {
	t.Helper()
	s, err := Run(context.Background(), sc, Options{Agents: agents, Rounds: rounds, InMemory: true, SigVerify: sigverify, Lanes: lanes})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEveryScenarioSmall(t *testing.T) {
	files, err := filepath.Glob("../examples/sim/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			sc := load(t, f)
			s := small(t, sc, 100, 2)
			if !s.LamportsConserved {
				t.Fatal("lamports not conserved")
			}
			for _, r := range s.RoundStats {
				if !r.Conserved || r.TotalLamports != s.RoundStats[0].TotalLamports {
					t.Fatalf("round %d: conserved %v, total %d (round 0: %d)", r.Round, r.Conserved, r.TotalLamports, s.RoundStats[0].TotalLamports)
				}
			}
			if s.Txs == 0 || len(s.RoundStats) != 2 {
				t.Fatalf("%d transactions in %d rounds", s.Txs, len(s.RoundStats))
			}
			// The same seed gives the same run at any number of lanes,
			// and with signature checks off (the signatures are valid).
			for _, c := range []struct {
				lanes int
				sig   bool
			}{{2, true}, {8, false}} {
				again := smallOn(t, sc, 100, 2, c.lanes, c.sig)
				if again.Commitment != s.Commitment || again.Welfare != s.Welfare || again.Revenue != s.Revenue ||
					again.Txs != s.Txs || again.Failed != s.Failed || !slices.EqualFunc(again.RoundStats, s.RoundStats, sameEconomics) {
					t.Fatalf("%d lanes (sigverify %v): commitment %s, want %s", c.lanes, c.sig, again.Commitment, s.Commitment)
				}
				if again.Lanes != c.lanes || again.SigVerify != c.sig {
					t.Fatalf("summary says %d lanes, sigverify %v", again.Lanes, again.SigVerify)
				}
			}
			dir := t.TempDir()
			if err := WriteReport(dir, s); err != nil {
				t.Fatal(err)
			}
			html, err := os.ReadFile(filepath.Join(dir, "report.html"))
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range FigureIDs(sc.Kind) {
				if !strings.Contains(string(html), `<figure id="`+id+`"><h2>`) {
					t.Errorf("the report has no %s plot", id)
				}
			}
			if !strings.Contains(string(html), "Where the rounds' time went: verify ") {
				t.Error("the report does not say where the time went")
			}
			if n := strings.Count(string(html), "<svg"); n != len(FigureIDs(sc.Kind)) {
				t.Errorf("%d plots, want %d", n, len(FigureIDs(sc.Kind)))
			}
			if u := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?(https?:)?//|https?://`).FindString(string(html)); u != "" {
				t.Errorf("the report refers to the network: %q", u)
			}
			for _, f := range []string{"summary.json", "rounds.csv"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// sameEconomics compares the deterministic fields of two rounds.
func sameEconomics(a, b RoundStats) bool {
	return a.Txs == b.Txs && a.Failed == b.Failed && a.Dropped == b.Dropped && a.CU == b.CU && a.Fees == b.Fees &&
		a.Welfare == b.Welfare && a.Revenue == b.Revenue && a.ItemsSold == b.ItemsSold && a.GiniMicro == b.GiniMicro &&
		a.TotalLamports == b.TotalLamports && slices.Equal(a.StrategyPayoff, b.StrategyPayoff) && maps.Equal(a.CUBy, b.CUBy)
}

func TestDifferentSeedsDiffer(t *testing.T) {
	sc := load(t, "../examples/sim/market.yaml")
	a := small(t, sc, 50, 1)
	seed := sc.Seed + 1
	b, err := Run(context.Background(), sc, Options{Agents: 50, Rounds: 1, InMemory: true, SigVerify: true, Seed: &seed})
	if err != nil {
		t.Fatal(err)
	}
	if a.Commitment == b.Commitment {
		t.Fatal("two seeds gave one commitment")
	}
}

// bruteVCG is VCG on bids (bundle, value), by enumeration of every set
// of pairwise disjoint bids: the welfare-maximising allocation (ties to
// the allocation taking earlier bids) and each winner's Clarke payment.
func bruteVCG(bundles, values []uint64) (winners []bool, pay []uint64) {
	n := len(bundles)
	best := func(skip int) (uint64, uint64) {
		var bestW, bestSet uint64
		found := false
		for set := uint64(0); set < 1<<n; set++ {
			if skip >= 0 && set>>skip&1 == 1 {
				continue
			}
			var used, w uint64
			ok := true
			for i := range n {
				if set>>i&1 == 1 {
					if used&bundles[i] != 0 {
						ok = false
						break
					}
					used |= bundles[i]
					w += values[i]
				}
			}
			if !ok {
				continue
			}
			// Ties: prefer the set whose lowest differing bid is taken.
			if !found || w > bestW || w == bestW && earlier(set, bestSet) {
				bestW, bestSet, found = w, set, true
			}
		}
		return bestW, bestSet
	}
	w, set := best(-1)
	winners = make([]bool, n)
	pay = make([]uint64, n)
	for i := range n {
		if set>>i&1 == 1 {
			winners[i] = true
			without, _ := best(i)
			pay[i] = without - (w - values[i])
		}
	}
	return winners, pay
}

func earlier(a, b uint64) bool {
	d := a ^ b
	if d == 0 {
		return false
	}
	low := uint64(1) << bits.TrailingZeros64(d)
	return a&low != 0
}

// With only truthful bidders, every settled auction's allocation and
// payments are VCG's, computed directly from the bids.
func TestTruthfulMarketIsVCG(t *testing.T) {
	sc := load(t, "../examples/sim/market.yaml")
	sc.Strategies = []Strategy{{Name: "truthful", Program: "strategies/truthful.ovsm", Share: 1}}
	r := &run{sc: sc, lanes: 1, conserved: true, progress: newProgress(nil)}
	sc.Agents = 96
	if err := sc.validate(); err != nil {
		t.Fatal(err)
	}
	if err := r.setup(Options{InMemory: true}); err != nil {
		t.Fatal(err)
	}
	if err := r.marketRound(0); err != nil {
		t.Fatal(err)
	}
	var revenue uint64
	for j := range r.auctionsPerRound() {
		addr, _ := econ.AuctionAddress(r.sellers.pub[j], 0)
		a, err := r.auction(addr)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Bids) != sc.Market.Bidders {
			t.Fatalf("auction %d holds %d bids", j, len(a.Bids))
		}
		bundles, values := make([]uint64, len(a.Bids)), make([]uint64, len(a.Bids))
		for i, b := range a.Bids {
			bundles[i], values[i] = b.Bundle, b.Value
		}
		win, pay := bruteVCG(bundles, values)
		for i, b := range a.Bids {
			got := b.Flags&econ.BidWinner != 0
			if got != win[i] || got && b.Paid != pay[i] {
				t.Fatalf("auction %d bid %d: winner %v paid %d, VCG says %v paying %d", j, i, got, b.Paid, win[i], pay[i])
			}
		}
		revenue += a.Proceeds
	}
	if revenue != r.rounds[0].Revenue {
		t.Fatalf("revenue %d, round reports %d", revenue, r.rounds[0].Revenue)
	}
}

func TestBadScenarios(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "p.ovsm")
	if err := os.WriteFile(prog, []byte("(define-program p (entrypoint (accounts instruction-data) 0))"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, src, want string }{
		{"unknown field", "scenario: market\nagentz: 5\nstrategies:\n  - {name: a, program: p.ovsm, share: 1}\n", ":2: field agentz not found"},
		{"negative share", "scenario: market\nstrategies:\n  - {name: a, program: p.ovsm, share: 1}\n  - {name: b, program: p.ovsm, share: -2}\n", ":4: strategy \"b\" has a negative share"},
		{"missing program", "scenario: market\nstrategies:\n  - {name: a, program: nope.ovsm, share: 1}\n", ":3: strategy \"a\": program nope.ovsm"},
		{"unknown kind", "scenario: bazaar\nstrategies:\n  - {name: a, program: p.ovsm, share: 1}\n", ":1: scenario must be one of"},
		{"wrong type", "scenario: market\nagents: many\nstrategies:\n  - {name: a, program: p.ovsm, share: 1}\n", ":2: cannot unmarshal"},
		{"zero shares", "scenario: market\nstrategies:\n  - {name: a, program: p.ovsm, share: 0}\n", ":2: the strategies' shares add up to 0"},
		{"duplicate key", "scenario: market\nscenario: market\nstrategies:\n  - {name: a, program: p.ovsm, share: 1}\n", "already defined"},
		{"not a mapping", "- 1\n- 2\n", ":1: a scenario is a mapping"},
		{"empty", "", "empty scenario"},
		{"bad auction", "scenario: market\nstrategies:\n  - {name: a, program: p.ovsm, share: 1}\nmarket: {auctions: [dutch-tulips]}\n", ":4: market.auctions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseScenario([]byte(tc.src), filepath.Join(dir, "s.yaml"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func FuzzParseScenario(f *testing.F) {
	for _, s := range []string{"scenario: market\n", "scenario: market\nstrategies: [{name: a, program: x, share: 1}]\nmarket: {items: 3}\n", "a: [", "{"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		_, _ = ParseScenario(src, "fuzz.yaml")
	})
}

func TestGini(t *testing.T) {
	for _, tc := range []struct {
		xs   []uint64
		want uint64
	}{
		{[]uint64{5, 5, 5, 5}, 0},
		{[]uint64{0, 0, 0, 10}, 750000},
		{[]uint64{1, 2, 3, 4}, 250000},
		{nil, 0},
		{[]uint64{0, 0}, 0},
	} {
		if got := giniMicro(tc.xs); got != tc.want {
			t.Errorf("gini(%v) = %d, want %d", tc.xs, got, tc.want)
		}
	}
}

// Auctions of 32 bidders do not fit one settling transaction: they settle
// in pieces (AuctionFinalize, then payouts that fit a packet), with every
// lamport accounted for and every auction settled.
func TestMarketSettlesLargeAuctions(t *testing.T) {
	sc := load(t, "../examples/sim/market.yaml")
	sc.Market.Bidders = 32
	r := &run{sc: sc, lanes: 1, conserved: true, progress: newProgress(nil)}
	sc.Agents = 64
	if err := sc.validate(); err != nil {
		t.Fatal(err)
	}
	if err := r.setup(Options{InMemory: true}); err != nil {
		t.Fatal(err)
	}
	for round := range 2 { // a VCG round, then a sealed one
		if err := r.marketRound(round); err != nil {
			t.Fatal(err)
		}
		rs := r.rounds[round]
		if !rs.Conserved || rs.Failed != 0 || rs.Dropped != 0 {
			t.Fatalf("round %d: conserved %v, %d failed, %d left out", round, rs.Conserved, rs.Failed, rs.Dropped)
		}
		for j := range r.auctionsPerRound() {
			addr, _ := econ.AuctionAddress(r.sellers.pub[j], uint64(round))
			a, err := r.auction(addr)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != econ.StatusSettled || len(a.Bids) != 32 {
				t.Fatalf("round %d auction %d: status %d with %d bids", round, j, a.Status, len(a.Bids))
			}
		}
	}
}

// A scenario named by a relative or an absolute path runs the same
// programs: the commitment does not depend on the folder a run starts
// from.
func TestCommitmentIndependentOfPath(t *testing.T) {
	abs, err := filepath.Abs("../examples/sim/market.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := small(t, load(t, "../examples/sim/market.yaml"), 20, 1)
	b := small(t, load(t, abs), 20, 1)
	if a.Commitment != b.Commitment {
		t.Fatalf("relative path: %s, absolute path: %s", a.Commitment, b.Commitment)
	}
}
