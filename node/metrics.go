package node

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/txn"
)

// metrics are the node's Prometheus metrics, in a registry of their own.
type metrics struct {
	reg          *prometheus.Registry
	blocks       prometheus.Counter
	height       prometheus.Gauge
	txs          *prometheus.CounterVec
	rpcRejected  *prometheus.CounterVec
	cu           prometheus.Counter
	tps          prometheus.Gauge
	confirmation prometheus.Histogram
	production   prometheus.Histogram
	lanes        prometheus.Gauge
	laneBusy     *prometheus.CounterVec
	mempool      prometheus.Gauge
	requests     *prometheus.CounterVec
	lastBlock    time.Time
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	m.blocks = prometheus.NewCounter(prometheus.CounterOpts{Name: "agora_node_blocks_total", Help: "Blocks committed."})
	m.height = prometheus.NewGauge(prometheus.GaugeOpts{Name: "agora_node_block_height", Help: "Height of the committed head."})
	m.txs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "agora_node_transactions_total", Help: "Transactions decided by the block producer, by status: ok, failed (committed with an error, fee charged), dropped (refused at block admission)."}, []string{"status"})
	m.rpcRejected = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "agora_node_rpc_rejected_transactions_total", Help: "Transactions sendTransaction refused, by reason."}, []string{"reason"})
	m.cu = prometheus.NewCounter(prometheus.CounterOpts{Name: "agora_node_compute_units_total", Help: "Compute units consumed by committed transactions."})
	m.tps = prometheus.NewGauge(prometheus.GaugeOpts{Name: "agora_node_tps", Help: "Transactions per second over the last block interval."})
	m.confirmation = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "agora_node_confirmation_latency_seconds", Help: "Time from sendTransaction to the commit of the block holding the transaction.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)})
	m.production = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "agora_node_block_production_seconds", Help: "Time to execute and commit a block.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)})
	m.lanes = prometheus.NewGauge(prometheus.GaugeOpts{Name: "agora_node_scheduler_lanes", Help: "Scheduler workers."})
	m.laneBusy = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "agora_node_scheduler_lane_busy_seconds_total", Help: "Time each scheduler lane spent verifying and executing transactions."}, []string{"lane", "phase"})
	m.mempool = prometheus.NewGauge(prometheus.GaugeOpts{Name: "agora_node_mempool_transactions", Help: "Transactions waiting for a block."})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "agora_node_rpc_requests_total", Help: "JSON-RPC requests, by method (unknown methods count as \"unknown\")."}, []string{"method"})
	for _, c := range []prometheus.Collector{m.blocks, m.height, m.txs, m.rpcRejected, m.cu, m.tps, m.confirmation, m.production, m.lanes, m.laneBusy, m.mempool, m.requests} {
		f(c)
	}
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// BlockStats is what the block producer measured of a block, for the
// metrics (all optional).
type BlockStats struct {
	// Duration is the time to execute and commit the block.
	Duration time.Duration
	// Submitted holds when each transaction was submitted.
	Submitted map[txn.Signature]time.Time
	// Dropped is how many transactions the block refused for good.
	Dropped int
	// Trace is the block's lane timeline; Lanes the scheduler's workers.
	Trace *sched.Trace
	Lanes int
}

func (m *metrics) block(now time.Time, ok, failed int, cu uint64, st *BlockStats) {
	m.blocks.Inc()
	m.txs.WithLabelValues("ok").Add(float64(ok))
	m.txs.WithLabelValues("failed").Add(float64(failed))
	if st == nil {
		return
	}
	m.txs.WithLabelValues("dropped").Add(float64(st.Dropped))
	m.cu.Add(float64(cu))
	if st.Duration > 0 {
		m.production.Observe(st.Duration.Seconds())
	}
	if !m.lastBlock.IsZero() {
		if d := now.Sub(m.lastBlock).Seconds(); d > 0 {
			m.tps.Set(float64(ok+failed) / d)
		}
	}
	m.lastBlock = now
	if st.Lanes > 0 {
		m.lanes.Set(float64(st.Lanes))
	}
	if st.Trace != nil {
		busy := map[[2]string]time.Duration{}
		for _, s := range st.Trace.Slices() {
			busy[[2]string{strconv.Itoa(s.Lane), s.Phase}] += s.Dur
		}
		for k, d := range busy {
			m.laneBusy.WithLabelValues(k[0], k[1]).Add(d.Seconds())
		}
	}
}
