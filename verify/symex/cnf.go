package symex

import (
	"github.com/go-air/gini"
	"github.com/go-air/gini/z"
)

// cone feeds queries to a solver that numbers only the gates queried so
// far, densely. The shared circuit numbers every gate of every path
// explored; a solver given those numbers must decide every one of them to
// report a model, so a satisfiable query would cost time in the size of
// the whole exploration, not of the query. The solver is kept from query
// to query (the path condition, shared by the queries along a path, is
// encoded once, and learnt clauses stay: the gate definitions are all
// it holds, so they hold everywhere) and replaced when it has grown well
// past the current query's cone.
type cone struct {
	sat    *gini.Gini
	gen    uint32   // the solver's generation
	stamp  []uint32 // per circuit variable: the generation that mapped it
	local  []z.Var  // per circuit variable: its variable in sat
	next   z.Var
	inputs []z.Var // the circuit inputs mapped in this generation
	work   []z.Var
	// Counting a query's cone, before encoding it.
	cgen   uint32
	cstamp []uint32
}

// encode adds what roots need to the solver and assumes them; it returns
// the number of gates in their cone, or false (adding nothing) past limit.
func (k *cone) encode(c circ, roots []z.Lit, limit int) (int, bool) {
	if n := c.Len(); len(k.stamp) < n {
		k.stamp = append(k.stamp, make([]uint32, n-len(k.stamp))...)
		k.cstamp = append(k.cstamp, make([]uint32, n-len(k.cstamp))...)
		k.local = append(k.local, make([]z.Var, n-len(k.local))...)
	}
	// Count first: a query over the limit costs no solver.
	if k.cgen++; k.cgen == 0 {
		clear(k.cstamp)
		k.cgen = 1
	}
	size := 0
	for _, r := range roots {
		if v := r.Var(); v != 1 && k.cstamp[v] != k.cgen {
			k.cstamp[v] = k.cgen
			k.work = append(k.work, v)
		}
	}
	for len(k.work) > 0 {
		v := k.work[len(k.work)-1]
		k.work = k.work[:len(k.work)-1]
		a, b := c.Ins(v.Pos())
		if a == z.LitNull {
			continue
		}
		if size++; size > limit {
			k.work = k.work[:0]
			return size, false
		}
		for _, x := range [2]z.Var{a.Var(), b.Var()} {
			if x != 1 && k.cstamp[x] != k.cgen {
				k.cstamp[x] = k.cgen
				k.work = append(k.work, x)
			}
		}
	}
	if k.sat == nil || int(k.next) > 4*size+1<<16 {
		k.reset(c)
	}
	assumed := make([]z.Lit, len(roots))
	for i, r := range roots {
		assumed[i] = k.lit(r)
	}
	for len(k.work) > 0 {
		v := k.work[len(k.work)-1]
		k.work = k.work[:len(k.work)-1]
		a, b := c.Ins(v.Pos())
		if a == z.LitNull {
			k.inputs = append(k.inputs, v)
			continue
		}
		g, la, lb := k.local[v].Pos(), k.lit(a), k.lit(b)
		k.sat.Add(g.Not())
		k.sat.Add(la)
		k.sat.Add(0)
		k.sat.Add(g.Not())
		k.sat.Add(lb)
		k.sat.Add(0)
		k.sat.Add(g)
		k.sat.Add(la.Not())
		k.sat.Add(lb.Not())
		k.sat.Add(0)
	}
	k.sat.Assume(assumed...)
	return size, true
}

// reset starts a new, empty solver.
func (k *cone) reset(c circ) {
	if k.gen++; k.gen == 0 {
		clear(k.stamp)
		k.gen = 1
	}
	k.sat = gini.New()
	k.next = 1
	k.inputs = k.inputs[:0]
	// Variable 1 of the circuit is its constant (T is its positive literal).
	k.sat.Add(k.lit(c.T))
	k.sat.Add(0)
}

// lit maps a circuit literal to the solver's, queueing a new variable.
func (k *cone) lit(m z.Lit) z.Lit {
	v := m.Var()
	if k.stamp[v] != k.gen {
		k.stamp[v] = k.gen
		k.local[v] = k.next
		k.next++
		if v != 1 {
			k.work = append(k.work, v)
		}
	}
	l := k.local[v].Pos()
	if !m.IsPos() {
		l = l.Not()
	}
	return l
}

// model is an assignment of the circuit's inputs: the variables in ones
// are true, every other input is false. A state keeps a model of its path
// condition, so a query that the model already satisfies needs no solver
// (most branches have one side the current input already takes).
type model struct {
	id   uint32
	ones map[z.Var]bool
}

// model returns the last satisfiable query's model: the solver's values
// of every input it holds (they satisfy the definitions of every gate it
// holds, so evaluating the circuit agrees with the solver).
func (k *cone) model(id uint32) *model {
	m := &model{id: id, ones: map[z.Var]bool{}}
	for _, v := range k.inputs {
		if k.sat.Value(k.local[v].Pos()) {
			m.ones[v] = true
		}
	}
	return m
}

// evaluator computes literals' values under a model, remembering gate
// values per model.
type evaluator struct {
	stamp []uint32
	val   []bool
	work  []z.Var
}

func (ev *evaluator) eval(c circ, m *model, l z.Lit) bool {
	switch l {
	case c.T:
		return true
	case c.F:
		return false
	}
	if n := c.Len(); len(ev.stamp) < n {
		ev.stamp = append(ev.stamp, make([]uint32, n-len(ev.stamp))...)
		ev.val = append(ev.val, make([]bool, n-len(ev.val))...)
	}
	get := func(x z.Lit) (bool, bool) {
		v := x.Var()
		if v == 1 {
			return x == c.T, true
		}
		if ev.stamp[v] != m.id {
			return false, false
		}
		return ev.val[v] == x.IsPos(), true
	}
	if b, ok := get(l); ok {
		return b
	}
	ev.work = append(ev.work[:0], l.Var())
	for len(ev.work) > 0 {
		v := ev.work[len(ev.work)-1]
		if ev.stamp[v] == m.id {
			ev.work = ev.work[:len(ev.work)-1]
			continue
		}
		a, b := c.Ins(v.Pos())
		if a == z.LitNull {
			ev.stamp[v], ev.val[v] = m.id, m.ones[v]
			ev.work = ev.work[:len(ev.work)-1]
			continue
		}
		va, okA := get(a)
		vb, okB := get(b)
		if okA && okB {
			ev.stamp[v], ev.val[v] = m.id, va && vb
			ev.work = ev.work[:len(ev.work)-1]
			continue
		}
		if !okA {
			ev.work = append(ev.work, a.Var())
		}
		if !okB {
			ev.work = append(ev.work, b.Var())
		}
	}
	r, _ := get(l)
	return r
}
