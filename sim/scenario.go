package sim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Kind names what a scenario's agents do.
type Kind string

// The scenario kinds.
const (
	Market     Kind = "market"     // budgeted bidders in repeated auctions
	Escrow     Kind = "escrow"     // service agents and clients with escrow, timeouts and disputes
	Oracle     Kind = "oracle"     // price publishers on ring buffers, and traders
	Reputation Kind = "reputation" // reputation-weighted matching, staking and slashing
)

var kinds = []Kind{Market, Escrow, Oracle, Reputation}

// MaxScenarioBytes bounds a scenario file.
const MaxScenarioBytes = 1 << 20

// Scenario is a parsed, validated scenario file. docs/sim.md documents
// every field.
type Scenario struct {
	// Path is the file it came from; programs are relative to its folder.
	Path string `yaml:"-"`

	Name     string `yaml:"name"`
	Kind     Kind   `yaml:"scenario"`
	Agents   int    `yaml:"agents"`
	Rounds   int    `yaml:"rounds"`
	Seed     uint64 `yaml:"seed"`
	Budget   uint64 `yaml:"budget"`
	TxsBlock int    `yaml:"txs_per_block"`
	// CULimit is the compute-unit limit every agent transaction requests
	// (a Compute Budget instruction, as real clients set).
	CULimit    uint32     `yaml:"cu_limit"`
	Strategies []Strategy `yaml:"strategies"`

	Market     *MarketParams     `yaml:"market"`
	Escrow     *EscrowParams     `yaml:"escrow"`
	Oracle     *OracleParams     `yaml:"oracle"`
	Reputation *ReputationParams `yaml:"reputation"`

	line map[string]int // field -> line, for errors found after decoding
}

// Strategy is one kind of agent: a program and its share of the agents.
type Strategy struct {
	Name    string `yaml:"name"`
	Program string `yaml:"program"`
	Share   int    `yaml:"share"`
	// Role is the oracle scenario's "publisher" or "trader".
	Role string `yaml:"role"`
	line int
}

// The oracle scenario's roles.
const (
	RolePublisher = "publisher"
	RoleTrader    = "trader"
)

// MarketParams configures the market scenario.
type MarketParams struct {
	// Auctions lists the auction kinds, used in turn round by round:
	// "vcg" or "sealed-second".
	Auctions []string `yaml:"auctions"`
	// Bidders is the number of agents per auction (at most 32).
	Bidders int `yaml:"bidders_per_auction"`
	// Items is the number of items in a VCG auction (1..12).
	Items int `yaml:"items"`
	// ValueMin and ValueMax bound an agent's private value per item.
	ValueMin uint64 `yaml:"value_min"`
	ValueMax uint64 `yaml:"value_max"`
}

// EscrowParams configures the escrow scenario.
type EscrowParams struct {
	// Price is what a client deposits for a job; the work is worth
	// between Price and twice Price to it.
	Price uint64 `yaml:"price"`
	// Iterations is the job's size: sha256 applied this many times.
	Iterations uint64 `yaml:"iterations"`
}

// OracleParams configures the oracle scenario.
type OracleParams struct {
	// Publishers is how many agents publish prices (the first ones).
	Publishers int `yaml:"publishers"`
	// PriceStart is the true price in the first round; it then moves by
	// up to Volatility per cent a round, at random.
	PriceStart uint64 `yaml:"price_start"`
	Volatility uint64 `yaml:"volatility"`
	// Sources is how many publishers' rings each trader reads a round.
	Sources int `yaml:"sources"`
}

func (o *OracleParams) validate(s *Scenario) error {
	if o.Publishers == 0 {
		o.Publishers = 16
	}
	if o.PriceStart == 0 {
		o.PriceStart = 100_000
	}
	if o.Volatility == 0 {
		o.Volatility = 5
	}
	if o.Sources == 0 {
		o.Sources = 5
	}
	switch {
	case o.Publishers < 1 || o.Publishers >= s.Agents:
		return s.errAt("oracle", "oracle.publishers must be at least 1 and fewer than the agents (got %d of %d)", o.Publishers, s.Agents)
	case o.Sources < 1 || o.Sources > 32 || o.Sources > o.Publishers:
		return s.errAt("oracle", "oracle.sources must be 1 to 32 and at most the publishers (got %d)", o.Sources)
	case o.Volatility > 50:
		return s.errAt("oracle", "oracle.volatility is a percentage per round, at most 50 (got %d)", o.Volatility)
	case o.PriceStart > s.Budget/4:
		return s.errAt("oracle", "oracle.price_start (%d) must be at most a quarter of the budget (%d)", o.PriceStart, s.Budget)
	}
	roles := map[string]int{}
	for _, st := range s.Strategies {
		if st.Role != RolePublisher && st.Role != RoleTrader {
			return &ScenarioError{Path: s.Path, Line: st.line, Msg: fmt.Sprintf("strategy %q: an oracle strategy needs role: publisher or role: trader", st.Name)}
		}
		roles[st.Role] += st.Share
	}
	if roles[RolePublisher] == 0 || roles[RoleTrader] == 0 {
		return s.errAt("strategies", "an oracle scenario needs publisher and trader strategies with shares")
	}
	return nil
}

// ReputationParams configures the reputation scenario.
type ReputationParams struct {
	// Stake is what every agent locks; Slash what a wrong result costs.
	Stake uint64 `yaml:"stake"`
	Slash uint64 `yaml:"slash"`
	// Pay is what the platform pays for a right result; Value what one
	// is worth (the welfare it creates).
	Pay   uint64 `yaml:"pay"`
	Value uint64 `yaml:"value"`
	// MatchShare is the percentage of agents matched to a job each round.
	MatchShare int `yaml:"match_share"`
	// Iterations is the job's size: sha256 applied this many times.
	Iterations uint64 `yaml:"iterations"`
}

func (p *ReputationParams) validate(s *Scenario) error {
	if p.Stake == 0 {
		p.Stake = 1_000_000
	}
	if p.Slash == 0 {
		p.Slash = p.Stake / 4
	}
	if p.Pay == 0 {
		p.Pay = 50_000
	}
	if p.Value == 0 {
		p.Value = 2 * p.Pay
	}
	if p.MatchShare == 0 {
		p.MatchShare = 25
	}
	if p.Iterations == 0 {
		p.Iterations = 8
	}
	switch {
	case p.MatchShare < 1 || p.MatchShare > 100:
		return s.errAt("reputation", "reputation.match_share must be a percentage, 1 to 100 (got %d)", p.MatchShare)
	case p.Iterations > 1_000:
		return s.errAt("reputation", "reputation.iterations must be at most 1000 (got %d)", p.Iterations)
	case p.Stake > s.Budget/2:
		return s.errAt("reputation", "reputation.stake (%d) must be at most half the budget (%d)", p.Stake, s.Budget)
	}
	return nil
}

// ScenarioError is a problem in a scenario file, at a line (0 when the
// file as a whole is at fault).
type ScenarioError struct {
	Path string
	Line int
	Msg  string
}

func (e *ScenarioError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// LoadScenario reads and validates a scenario file.
func LoadScenario(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxScenarioBytes+1))
	if err != nil {
		return nil, err
	}
	if len(src) > MaxScenarioBytes {
		return nil, &ScenarioError{Path: path, Msg: fmt.Sprintf("larger than %d bytes", MaxScenarioBytes)}
	}
	return ParseScenario(src, path)
}

// ParseScenario decodes and validates a scenario. Unknown fields,
// duplicate keys, wrong types and out-of-range values are errors that
// name the line.
func ParseScenario(src []byte, path string) (*Scenario, error) {
	if len(src) > MaxScenarioBytes {
		return nil, &ScenarioError{Path: path, Msg: fmt.Sprintf("larger than %d bytes", MaxScenarioBytes)}
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ScenarioError{Path: path, Msg: "empty scenario"}
		}
		return nil, yamlError(path, err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 || root.Content[0].Kind != yaml.MappingNode {
		return nil, &ScenarioError{Path: path, Line: root.Line, Msg: "a scenario is a mapping of fields"}
	}
	s := &Scenario{Path: path, line: map[string]int{}}
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		s.line[top.Content[i].Value] = top.Content[i].Line
	}
	strict := yaml.NewDecoder(bytes.NewReader(src))
	strict.KnownFields(true)
	if err := strict.Decode(s); err != nil {
		return nil, yamlError(path, err)
	}
	if n := strategiesNode(top); n != nil {
		for i, item := range n.Content {
			if i < len(s.Strategies) {
				s.Strategies[i].line = item.Line
			}
		}
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

func strategiesNode(top *yaml.Node) *yaml.Node {
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "strategies" && top.Content[i+1].Kind == yaml.SequenceNode {
			return top.Content[i+1]
		}
	}
	return nil
}

// yamlError turns the decoder's messages ("yaml: line 3: ...") into a
// ScenarioError with the line.
func yamlError(path string, err error) error {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		if i := strings.Index(msg, ":"); i >= 0 {
			msg = strings.TrimSpace(msg[i+1:])
		}
	}
	return &ScenarioError{Path: path, Line: line, Msg: msg}
}

func (s *Scenario) errAt(field, format string, args ...any) error {
	return &ScenarioError{Path: s.Path, Line: s.line[field], Msg: fmt.Sprintf(format, args...)}
}

// Limits of a scenario.
const (
	MaxAgents = 10_000_000
	MaxRounds = 100_000
)

func (s *Scenario) validate() error {
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(s.Path), filepath.Ext(s.Path))
	}
	found := false
	for _, k := range kinds {
		found = found || k == s.Kind
	}
	if !found {
		return s.errAt("scenario", "scenario must be one of market, escrow, oracle, reputation (got %q)", s.Kind)
	}
	if s.Agents == 0 {
		s.Agents = 100
	}
	if s.Agents < 2 || s.Agents > MaxAgents {
		return s.errAt("agents", "agents must be between 2 and %d (got %d)", MaxAgents, s.Agents)
	}
	if s.Rounds == 0 {
		s.Rounds = 1
	}
	if s.Rounds < 1 || s.Rounds > MaxRounds {
		return s.errAt("rounds", "rounds must be between 1 and %d (got %d)", MaxRounds, s.Rounds)
	}
	if s.Budget == 0 {
		s.Budget = 1_000_000_000
	}
	if s.TxsBlock == 0 {
		s.TxsBlock = 2048
	}
	if s.TxsBlock < 1 || s.TxsBlock > 100_000 {
		return s.errAt("txs_per_block", "txs_per_block must be between 1 and 100000 (got %d)", s.TxsBlock)
	}
	if s.CULimit == 0 {
		s.CULimit = 20_000
	}
	if len(s.Strategies) == 0 {
		return s.errAt("strategies", "at least one strategy is needed")
	}
	total := 0
	seen := map[string]bool{}
	for _, st := range s.Strategies {
		at := func(format string, args ...any) error {
			return &ScenarioError{Path: s.Path, Line: st.line, Msg: fmt.Sprintf(format, args...)}
		}
		if st.Name == "" {
			return at("a strategy needs a name")
		}
		if seen[st.Name] {
			return at("strategy %q twice", st.Name)
		}
		seen[st.Name] = true
		if st.Program == "" {
			return at("strategy %q needs a program", st.Name)
		}
		if st.Role != "" && s.Kind != Oracle {
			return at("strategy %q: role is for the oracle scenario", st.Name)
		}
		if st.Share < 0 {
			return at("strategy %q has a negative share (%d)", st.Name, st.Share)
		}
		if _, err := os.Stat(s.ProgramPath(st)); err != nil {
			return at("strategy %q: program %s: %v", st.Name, st.Program, errors.Unwrap(err))
		}
		total += st.Share
	}
	if total <= 0 {
		return s.errAt("strategies", "the strategies' shares add up to %d; they must add up to more than 0", total)
	}
	switch s.Kind {
	case Market:
		if s.Market == nil {
			s.Market = &MarketParams{}
		}
		return s.Market.validate(s)
	case Escrow:
		if s.Escrow == nil {
			s.Escrow = &EscrowParams{}
		}
		return s.Escrow.validate(s)
	case Oracle:
		if s.Oracle == nil {
			s.Oracle = &OracleParams{}
		}
		return s.Oracle.validate(s)
	case Reputation:
		if s.Reputation == nil {
			s.Reputation = &ReputationParams{}
		}
		return s.Reputation.validate(s)
	}
	return nil
}

func (e *EscrowParams) validate(s *Scenario) error {
	if e.Price == 0 {
		e.Price = 100_000
	}
	if e.Iterations == 0 {
		e.Iterations = 8
	}
	if e.Iterations > 1_000 {
		return s.errAt("escrow", "escrow.iterations must be at most 1000 (got %d)", e.Iterations)
	}
	if e.Price > s.Budget/4 {
		return s.errAt("escrow", "escrow.price (%d) must be at most a quarter of the budget (%d)", e.Price, s.Budget)
	}
	return nil
}

func (m *MarketParams) validate(s *Scenario) error {
	if len(m.Auctions) == 0 {
		m.Auctions = []string{"vcg"}
	}
	for _, a := range m.Auctions {
		if a != "vcg" && a != "sealed-second" {
			return s.errAt("market", "market.auctions: %q is not vcg or sealed-second", a)
		}
	}
	if m.Bidders == 0 {
		m.Bidders = 8
	}
	if m.Bidders < 1 || m.Bidders > 32 {
		return s.errAt("market", "market.bidders_per_auction must be between 1 and 32 (got %d)", m.Bidders)
	}
	if m.Items == 0 {
		m.Items = 2
	}
	if m.Items < 1 || m.Items > 12 {
		return s.errAt("market", "market.items must be between 1 and 12 (got %d)", m.Items)
	}
	if m.ValueMax == 0 {
		m.ValueMin, m.ValueMax = 1_000, 100_000
	}
	if m.ValueMin > m.ValueMax {
		return s.errAt("market", "market.value_min (%d) is above value_max (%d)", m.ValueMin, m.ValueMax)
	}
	if m.ValueMax > s.Budget/uint64(2*m.Items) {
		return s.errAt("market", "market.value_max (%d) is too large for the budget (%d): an agent must afford twice its value for every item", m.ValueMax, s.Budget)
	}
	return nil
}

// ProgramPath is where strategy st's program is: its path, relative to
// the scenario's folder.
func (s *Scenario) ProgramPath(st Strategy) string {
	if filepath.IsAbs(st.Program) {
		return st.Program
	}
	return filepath.Join(filepath.Dir(s.Path), st.Program)
}
