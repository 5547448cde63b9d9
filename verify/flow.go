package verify

import "slices"

// flow is the context-sensitive worklist both pairing passes (transactions
// and lanes) run: a state S at a pc within a function context (a function
// entered in a state), each point visited once, and local calls resolved
// by summaries: a call site resumes with every exit state of its callee's
// context, found now or later. Each pass gives its own step, its state's
// canonical form and what a return keeps of the caller's state.
type flow[S comparable] struct {
	n        int // instructions: a jump or fall-through out of them faults
	limit    int // most points visited before giving up
	visited  map[flowNode[S]]struct{}
	work     []flowNode[S]
	ctxs     map[flowKey[S]]int32
	contexts []*flowCtx[S]
	stopped  bool

	norm    func(*S)               // the state's canonical form (nil: none)
	ret     func(caller, exit S) S // the caller's state after a return
	onLimit func(visited int)      // the limit stopped the analysis
}

// flowNode is one point of the exploration: a pc in a function context;
// as a call site, the caller's state at the call.
type flowNode[S comparable] struct {
	ctx int32
	pc  int32
	st  S
}

// flowKey names a function context: a function entered in a state. The
// entry function as a lane's or the program's entry (top) is distinct
// from the same function called locally (its exit ends the run).
type flowKey[S comparable] struct {
	entry int32
	in    S
	top   bool
}

type flowCtx[S comparable] struct {
	key     flowKey[S]
	exits   []S
	callers []flowNode[S]
}

func newFlow[S comparable](n, limit int) flow[S] {
	if limit <= 0 {
		limit = DefaultPairingMaxStates
	}
	return flow[S]{n: n, limit: limit, visited: map[flowNode[S]]struct{}{}, ctxs: map[flowKey[S]]int32{}}
}

// drain runs step on every queued point until none is left or the limit
// stopped the analysis.
func (f *flow[S]) drain(step func(ctx int32, pc int, st S)) {
	for len(f.work) > 0 && !f.stopped {
		nd := f.work[len(f.work)-1]
		f.work = f.work[:len(f.work)-1]
		step(nd.ctx, int(nd.pc), nd.st)
	}
}

// context returns the id of a function context, creating it (and queuing
// its entry, unless it is a top context the caller queues) when new.
func (f *flow[S]) context(k flowKey[S]) int32 {
	if id, ok := f.ctxs[k]; ok {
		return id
	}
	id := int32(len(f.contexts))
	f.ctxs[k] = id
	f.contexts = append(f.contexts, &flowCtx[S]{key: k})
	if !k.top {
		f.push(id, int(k.entry), k.in)
	}
	return id
}

// push queues st at pc in context ctx, once.
func (f *flow[S]) push(ctx int32, pc int, st S) {
	if f.stopped || pc < 0 || pc >= f.n {
		return // a jump or fall-through out of the text faults
	}
	if f.norm != nil {
		f.norm(&st)
	}
	nd := flowNode[S]{ctx, int32(pc), st}
	if _, ok := f.visited[nd]; ok {
		return
	}
	if len(f.visited) >= f.limit {
		f.stopped = true
		f.onLimit(len(f.visited))
		return
	}
	f.visited[nd] = struct{}{}
	f.work = append(f.work, nd)
}

// callLocal enters target in state in, from a call at pc made in st, and
// returns through every exit state the callee's context has, now or later.
func (f *flow[S]) callLocal(ctx int32, pc int, st, in S, target int) {
	if target < 0 || target >= f.n {
		return // CallOutsideTextSegment
	}
	callee := f.context(flowKey[S]{entry: int32(target), in: in})
	c := f.contexts[callee]
	site := flowNode[S]{ctx, int32(pc), st}
	if slices.Contains(c.callers, site) {
		return
	}
	c.callers = append(c.callers, site)
	for _, exit := range c.exits {
		f.push(ctx, pc+1, f.ret(st, exit))
	}
}

// addExit records that a context can return in st, and resumes its
// callers.
func (f *flow[S]) addExit(ctx int32, st S) {
	c := f.contexts[ctx]
	if slices.Contains(c.exits, st) {
		return
	}
	c.exits = append(c.exits, st)
	for _, site := range c.callers {
		f.push(site.ctx, int(site.pc)+1, f.ret(site.st, st))
	}
}
