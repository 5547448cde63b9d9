package sim

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"image/color"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// WriteReport writes DIR/summary.json, DIR/rounds.csv and the
// self-contained DIR/report.html, and sets s.Report.
func WriteReport(dir string, s *Summary) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	s.Report = filepath.Join(dir, "report.html")
	js, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	if err := writeCSV(filepath.Join(dir, "rounds.csv"), s); err != nil {
		return err
	}
	page, err := renderHTML(s)
	if err != nil {
		return err
	}
	return os.WriteFile(s.Report, page, 0o644)
}

// primitives lists the CU categories in report order.
func primitives() []string {
	out := make([]string, numPrimitives)
	for p := range numPrimitives {
		out[p] = p.String()
	}
	return out
}

func writeCSV(path string, s *Summary) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"round", "kind", "txs", "failed", "dropped", "blocks", "cu", "fees", "welfare", "revenue", "items_sold", "price_per_item", "gini_micro", "total_lamports", "conserved", "seconds", "tps"}
	for _, p := range primitives() {
		head = append(head, "cu_"+p)
	}
	for _, st := range s.Strategies {
		head = append(head, "payoff_"+st.Name)
	}
	counters := counterNames(s)
	head = append(head, counters...)
	if err := w.Write(head); err != nil {
		return err
	}
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	for _, r := range s.RoundStats {
		row := []string{strconv.Itoa(r.Round), r.Kind, strconv.Itoa(r.Txs), strconv.Itoa(r.Failed), strconv.Itoa(r.Dropped), strconv.Itoa(r.Blocks),
			u(r.CU), u(r.Fees), u(r.Welfare), u(r.Revenue), u(r.ItemsSold), u(r.PricePerItem), u(r.GiniMicro),
			u(r.TotalLamports), strconv.FormatBool(r.Conserved),
			strconv.FormatFloat(r.Seconds, 'f', 3, 64), strconv.FormatFloat(r.TPS, 'f', 1, 64)}
		for _, p := range primitives() {
			row = append(row, u(r.CUBy[p]))
		}
		for i := range s.Strategies {
			v := int64(0)
			if i < len(r.StrategyPayoff) {
				v = r.StrategyPayoff[i]
			}
			row = append(row, strconv.FormatInt(v, 10))
		}
		for _, c := range counters {
			row = append(row, strconv.FormatInt(r.Counters[c], 10))
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// counterNames lists the scenario's counters over all rounds, sorted.
func counterNames(s *Summary) []string {
	var names []string
	for _, r := range s.RoundStats {
		for k := range r.Counters {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	slices.Sort(names)
	return names
}

// counterTable is the per-round counters as table rows.
type counterTable struct {
	Names []string
	Rows  [][]int64
}

func countersOf(s *Summary) counterTable {
	t := counterTable{Names: counterNames(s)}
	for _, r := range s.RoundStats {
		row := []int64{int64(r.Round + 1)}
		for _, n := range t.Names {
			row = append(row, r.Counters[n])
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// figure is one plot of the report.
type figure struct {
	ID, Title, Caption string
	SVG                template.HTML
}

// svgProlog matches what an inline SVG does not need: the XML
// declaration, the doctype and namespace attributes (HTML5 knows them).
var svgProlog = regexp.MustCompile(`(?s)<\?xml.*?\?>|<!DOCTYPE.*?>|\s+xmlns(:\w+)?="[^"]*"`)

func render(p *plot.Plot) (template.HTML, error) {
	// Fonts are embedded, so that the text is measured and drawn the same
	// wherever the report is opened, with no network.
	c := vgsvg.NewWith(vgsvg.UseWH(7*vg.Inch, 3.2*vg.Inch), vgsvg.EmbedFonts(true))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", err
	}
	return template.HTML(svgProlog.ReplaceAll(buf.Bytes(), nil)), nil
}

// fontStyle matches the font-face rules vgsvg embeds in each plot.
var fontStyle = regexp.MustCompile(`(?s)<style[^>]*>\s*(?:<!\[CDATA\[)?\s*@font-face.*?</style>`)

// hoistFonts moves the embedded font rules out of the plots into one
// style element, each font once: the fonts weigh far more than the plots.
func hoistFonts(figs []figure) template.HTML {
	var rules []string
	seen := map[string]bool{}
	for i := range figs {
		svg := string(figs[i].SVG)
		for _, m := range fontStyle.FindAllString(svg, -1) {
			if !seen[m] {
				seen[m] = true
				rules = append(rules, m)
			}
		}
		figs[i].SVG = template.HTML(fontStyle.ReplaceAllString(svg, ""))
	}
	return template.HTML(strings.Join(rules, "\n"))
}

func roundsXY(s *Summary, f func(r RoundStats) float64) plotter.XYs {
	xy := make(plotter.XYs, len(s.RoundStats))
	for i, r := range s.RoundStats {
		xy[i].X, xy[i].Y = float64(r.Round+1), f(r)
	}
	return xy
}

func linePlot(title, ylabel string, series ...any) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "round"
	p.Y.Label.Text = ylabel
	if err := plotutil.AddLinePoints(p, series...); err != nil {
		return nil, err
	}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Y.Min = 0
	// Headroom for the legend above the highest line.
	p.Y.Max *= 1.35
	return p, nil
}

func barPlot(title, ylabel string, names []string, values []float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	bars, err := plotter.NewBarChart(plotter.Values(values), vg.Points(28))
	if err != nil {
		return nil, err
	}
	bars.Color = color.RGBA{R: 60, G: 110, B: 180, A: 255}
	p.Add(bars)
	p.NominalX(names...)
	return p, nil
}

// figures draws every plot of the report.
func figures(s *Summary) ([]figure, error) {
	var out []figure
	add := func(id, title, caption string, p *plot.Plot, err error) error {
		if err != nil {
			return fmt.Errorf("sim: plot %s: %w", id, err)
		}
		svg, err := render(p)
		if err != nil {
			return fmt.Errorf("sim: plot %s: %w", id, err)
		}
		out = append(out, figure{ID: id, Title: title, Caption: caption, SVG: svg})
		return nil
	}
	p, err := linePlot("Throughput", "transactions per second", "tx/s", roundsXY(s, func(r RoundStats) float64 { return r.TPS }))
	if err := add("throughput", "Throughput per round", "Transactions executed per second of wall time, per round (a timing: it varies between runs).", p, err); err != nil {
		return nil, err
	}
	var cuSeries []any
	for _, prim := range primitives() {
		if s.CUBy[prim] == 0 {
			continue
		}
		cuSeries = append(cuSeries, prim, roundsXY(s, func(r RoundStats) float64 { return float64(r.CUBy[prim]) }))
	}
	p, err = linePlot("Compute units by primitive", "CU", cuSeries...)
	if err := add("cu", "CU by primitive", "Compute units per round, by the primitive each transaction exercises: a strategy program's transaction is bytecode (with the native syscalls it calls), an economics instruction is auction or escrow.", p, err); err != nil {
		return nil, err
	}
	var laneSeries []any
	if len(s.RoundStats) > 0 {
		for lane := range len(s.RoundStats[0].LaneBusy) {
			laneSeries = append(laneSeries, fmt.Sprintf("lane %d", lane), roundsXY(s, func(r RoundStats) float64 {
				if lane < len(r.LaneBusy) {
					return r.LaneBusy[lane]
				}
				return 0
			}))
		}
	}
	if len(laneSeries) == 0 {
		laneSeries = append(laneSeries, "lane 0", roundsXY(s, func(RoundStats) float64 { return 100 }))
	}
	p, err = linePlot("Lane utilisation", "busy %", laneSeries...)
	if err := add("lanes", "Lanes' utilisation", fmt.Sprintf("Share of each round's execution time each of the %d lanes was busy (a timing).", s.Lanes), p, err); err != nil {
		return nil, err
	}
	p, err = linePlot("Welfare and revenue", "lamports",
		"welfare (true values of winners)", roundsXY(s, func(r RoundStats) float64 { return float64(r.Welfare) }),
		"revenue (paid to sellers)", roundsXY(s, func(r RoundStats) float64 { return float64(r.Revenue) }))
	if err := add("welfare", "Welfare and revenue per round", "Welfare is the sum of the winners' true values; revenue what the winners paid.", p, err); err != nil {
		return nil, err
	}
	p, err = linePlot("Price convergence", "lamports per item", "price per item", roundsXY(s, func(r RoundStats) float64 { return float64(r.PricePerItem) }))
	if err := add("price", "Price convergence", "Average clearing price per item sold, per round.", p, err); err != nil {
		return nil, err
	}
	p, err = linePlot("Wealth inequality", "Gini coefficient", "Gini", roundsXY(s, func(r RoundStats) float64 { return float64(r.GiniMicro) / 1e6 }))
	if err := add("gini", "Wealth distribution (Gini)", "The Gini coefficient of the agents' balances after each round (0 is equal wealth).", p, err); err != nil {
		return nil, err
	}
	names := make([]string, len(s.Strategies))
	payoffs := make([]float64, len(s.Strategies))
	for i, st := range s.Strategies {
		names[i] = st.Name
		if st.Agents > 0 {
			payoffs[i] = float64(st.Payoff) / float64(st.Agents)
		}
	}
	p, err = barPlot("Payoff per agent, by strategy", "lamports", names, payoffs)
	if err := add("payoff", "Each strategy's payoff", "Over all rounds, per agent: the true value of what its agents won, less what they paid.", p, err); err != nil {
		return nil, err
	}
	if s.Kind == Reputation {
		var series []any
		for i, st := range s.Strategies {
			series = append(series, st.Name, roundsXY(s, func(r RoundStats) float64 {
				if i < len(r.StrategyScore) {
					return float64(r.StrategyScore[i]) / 1000
				}
				return 0
			}))
		}
		p, err = linePlot("Reputation versus honesty", "mean score", series...)
		if err == nil {
			p.Y.Min = min(p.Y.Min, minScore(s)*1.35)
		}
		if err := add("reputation", "Reputation versus honesty", "Each strategy's mean reputation after each round: the platform rates right work +2 and wrong work -5, and matches jobs to the best reputations first.", p, err); err != nil {
			return nil, err
		}
		p, err = linePlot("Slashed stake", "lamports", "slashed", roundsXY(s, func(r RoundStats) float64 { return float64(r.Slashed) }))
		if err := add("slashed", "Slashed stake", "Stake slashed from agents whose results were wrong, per round.", p, err); err != nil {
			return nil, err
		}
	}
	p, err = linePlot("Conservation", "lamports", "total lamports", roundsXY(s, func(r RoundStats) float64 { return float64(r.TotalLamports) }))
	if err := add("conservation", "Conservation of lamports", "Every account the scenario's transactions can write, plus the fees burned so far, after each round: the line must be flat.", p, err); err != nil {
		return nil, err
	}
	return out, nil
}

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Agora simulation: {{.S.Scenario}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}
th{background:#f3f3f3}.ok{color:#176b1f;font-weight:bold}.bad{color:#a11;font-weight:bold}
figure{margin:1.5rem 0}figcaption{font-size:.9rem;color:#555}svg{max-width:100%;height:auto}
</style>{{.Fonts}}</head><body>
<h1>Agora simulation: {{.S.Scenario}}</h1>
<p>{{.S.Agents}} agents, {{.S.Rounds}} rounds, seed {{.S.Seed}}, {{.S.Lanes}} lane(s);
signature verification {{if .S.SigVerify}}on{{else}}<b>off</b> (--sigverify=false){{end}}.
{{.S.Txs}} transactions ({{.S.Failed}} failed, {{.S.Dropped}} left out of their block), {{printf "%.0f" .S.TPS}} tx/s over the rounds;
setup {{printf "%.1f" .S.SetupSeconds}} s, rounds {{printf "%.1f" .S.RoundsSeconds}} s.
{{with .S.TimeShareText}}Where the rounds' time went: {{.}} (lane time divided by the lanes; the VM is timed
only with --measure-vm, and is otherwise part of execute).{{end}}</p>
<p>Conservation: {{if .S.LamportsConserved}}<span class="ok">total lamports were equal after every round</span>{{else}}<span class="bad">LAMPORTS WERE NOT CONSERVED</span>{{end}}
({{.S.TotalLamports}} lamports). Final state commitment <code>{{.S.Commitment}}</code>.</p>
<table><tr><th>strategy</th><th>agents</th><th>wins</th><th>payoff</th></tr>
{{range .S.Strategies}}<tr><td>{{.Name}}</td><td>{{.Agents}}</td><td>{{.Wins}}</td><td>{{.Payoff}}</td></tr>{{end}}
</table>
{{if .Counters.Names}}<table><tr><th>round</th>{{range .Counters.Names}}<th>{{.}}</th>{{end}}</tr>
{{range .Counters.Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}
</table>{{end}}
{{range .Figures}}<figure id="{{.ID}}"><h2>{{.Title}}</h2>{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>
{{end}}
</body></html>
`))

func renderHTML(s *Summary) ([]byte, error) {
	figs, err := figures(s)
	if err != nil {
		return nil, err
	}
	fonts := hoistFonts(figs)
	var buf bytes.Buffer
	if err := page.Execute(&buf, struct {
		S        *Summary
		Fonts    template.HTML
		Figures  []figure
		Counters counterTable
	}{s, fonts, figs, countersOf(s)}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// FigureIDs lists the plots of a report of a scenario of kind k, in
// order.
func FigureIDs(k Kind) []string {
	ids := []string{"throughput", "cu", "lanes", "welfare", "price", "gini", "payoff"}
	if k == Reputation {
		ids = append(ids, "reputation", "slashed")
	}
	return append(ids, "conservation")
}

// minScore is the lowest mean score of any strategy in any round.
func minScore(s *Summary) float64 {
	lo := 0.0
	for _, r := range s.RoundStats {
		for _, v := range r.StrategyScore {
			lo = min(lo, float64(v)/1000)
		}
	}
	return lo
}
