package lanes

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// prepare assembles src (V0) with the package's mnemonics; `{label}` in
// src stands for the pc of label (the source is assembled twice: a pc is
// one slot wide whatever its value).
func prepare(t testing.TB, serial bool, src string) vm.Runnable {
	t.Helper()
	r := syscalls.NewRegistry()
	if err := RegisterWith(r, Options{Serial: serial}); err != nil {
		t.Fatal(err)
	}
	opts := &asm.Options{Aliases: Aliases()}
	subst := func(labels map[string]int) string {
		s := src
		for strings.Contains(s, "{") {
			i := strings.Index(s, "{")
			j := strings.Index(s[i:], "}") + i
			s = s[:i] + fmt.Sprint(labels[s[i+1:j]]) + s[j+1:]
		}
		return s
	}
	p, err := asm.Assemble(subst(nil), sbpf.V0, opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err = asm.Assemble(subst(p.Labels), sbpf.V0, opts)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), r, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

type outcome struct {
	res   vm.Result
	input []byte
	span  uint64
}

func (o outcome) kind() string { return vm.ErrorKindOf(o.res.Err) }

func run(t testing.TB, exe vm.Runnable, input []byte) outcome {
	t.Helper()
	in := bytes.Clone(input)
	m := vm.NewMachine()
	res := exe.Run(m, vm.RunOptions{Input: in, Budget: 1_000_000, Context: syscalls.NewContext([32]byte{})})
	return outcome{res, in, Span(m, res.CU)}
}

// both runs src in the parallel and the serial mode and fails unless the
// outcomes are identical; it returns the parallel one.
func both(t testing.TB, src string, input []byte) outcome {
	t.Helper()
	p := run(t, prepare(t, false, src), input)
	s := run(t, prepare(t, true, src), input)
	if p.res.R0 != s.res.R0 || p.res.CU != s.res.CU || p.kind() != s.kind() || !bytes.Equal(p.input, s.input) || p.span != s.span {
		t.Fatalf("parallel %+v span %d input %x\nserial %+v span %d input %x", p.res, p.span, p.input, s.res, s.span, s.input)
	}
	return p
}

// child: arg = {offset, value, loops}: spins loops times, writes the
// value's low byte at input[offset], puts value*3 in the argument and
// returns value+100.
const child = `
child:
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    ldxdw r4, [r1+16]
spin:
    jeq r4, 0, spun
    sub64 r4, 1
    ja spin
spun:
    lddw r5, 0x400000000
    add64 r5, r2
    stxb [r5+0], r3
    mov64 r0, r3
    mul64 r3, 3
    stxdw [r1+8], r3
    add64 r0, 100
    exit
`

// spawnAt emits a spawn of child with {off, val, loops}, the handle saved
// at [r10-slot].
func spawnAt(off, val, loops, slot int) string {
	return fmt.Sprintf(`
    stdw [r10-24], %d
    stdw [r10-16], %d
    stdw [r10-8], %d
    mov64 r1, {child}
    mov64 r2, r10
    add64 r2, -24
    mov64 r3, 24
    mov64 r4, 100000
    parallel_spawn
    stxdw [r10-%d], r0
`, off, val, loops, slot)
}

// joinAt joins the handle at [r10-slot], adds r0 to r9, and stores the
// returned argument's value word at input[dst].
func joinAt(slot, dst int) string {
	return fmt.Sprintf(`
    ldxdw r1, [r10-%d]
    mov64 r2, r10
    add64 r2, -48
    mov64 r3, 24
    parallel_join
    add64 r9, r0
    ldxdw r3, [r10-40]
    stxdw [r6+%d], r3
`, slot, dst)
}

func TestSpawnJoin(t *testing.T) {
	src := "entrypoint:\n mov64 r6, r1\n mov64 r9, 0\n" + spawnAt(0, 7, 50, 64) + spawnAt(1, 9, 10, 72) +
		joinAt(72, 8) + joinAt(64, 16) + " mov64 r0, r9\n exit\n" + child
	o := both(t, src, make([]byte, 24))
	if o.res.Err != nil {
		t.Fatal(o.res.Err)
	}
	if o.res.R0 != 107+109 {
		t.Fatalf("r0 %d", o.res.R0)
	}
	want := []byte{7, 9, 0, 0, 0, 0, 0, 0, 27, 0, 0, 0, 0, 0, 0, 0, 21, 0, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(o.input, want) {
		t.Fatalf("input %v", o.input)
	}
	if o.span >= o.res.CU {
		t.Fatalf("span %d not below total %d", o.span, o.res.CU)
	}
}

func TestSpanIsCriticalPath(t *testing.T) {
	// Two equal children: the total counts both, the span one of them.
	src := "entrypoint:\n mov64 r6, r1\n" + spawnAt(0, 1, 2000, 64) + spawnAt(1, 2, 2000, 72) +
		" parallel_fence\n" + joinAt(64, 8) + joinAt(72, 8) + " exit\n" + child
	o := both(t, src, make([]byte, 16))
	if o.res.Err != nil {
		t.Fatal(o.res.Err)
	}
	childCU := uint64(3*2000 + 14)
	if o.res.CU < 2*childCU || o.span > o.res.CU-childCU+10 || o.span < childCU {
		t.Fatalf("total %d span %d (child about %d)", o.res.CU, o.span, childCU)
	}
}

// deep spawns itself: its child's spawn fails (MaxDepth).
const deep = `
deep:
    mov64 r1, {deep}
    mov64 r3, 0
    mov64 r4, 50000
    parallel_spawn
    mov64 r1, r0
    mov64 r3, 0
    parallel_join
    exit
`

func TestFaults(t *testing.T) {
	for _, tc := range []struct {
		name, body, kind string
	}{
		{"conflict between children", spawnAt(0, 1, 0, 64) + spawnAt(0, 2, 0, 72) + joinAt(72, 8) + joinAt(64, 8), "LaneWriteConflict"},
		{"conflict with parent", spawnAt(0, 1, 0, 64) + " stb [r6+0], 5\n" + joinAt(64, 8), "LaneWriteConflict"},
		{"same byte after merge is fine", spawnAt(0, 1, 0, 64) + joinAt(64, 8) + spawnAt(0, 2, 0, 72) + joinAt(72, 8), ""},
		{"leak", spawnAt(0, 1, 0, 64), "TaskLeak"},
		{"fence releases", spawnAt(0, 1, 0, 64) + " parallel_fence\n", ""},
		{"join twice", spawnAt(0, 1, 0, 64) + joinAt(64, 8) + joinAt(64, 8), "InvalidHandle"},
		{"unknown handle", " mov64 r1, 3\n parallel_join\n", "InvalidHandle"},
		{"bad pc", " mov64 r1, 100000\n parallel_spawn\n", "InvalidFunction"},
		{"child fault", spawnAt(1000, 1, 0, 64) + joinAt(64, 8), "LaneFault"},
		{"child over its limit", spawnAt(0, 1, 1000000, 64) + joinAt(64, 8), "LaneFault"},
		{"grandchildren may not spawn", " mov64 r1, {deep}\n mov64 r3, 0\n mov64 r4, 100000\n parallel_spawn\n mov64 r1, r0\n mov64 r3, 0\n parallel_join\n", "LaneFault"},
		{"misaligned atomic", " mov64 r1, r6\n add64 r1, 4\n atomic_load\n", "AtomicMisaligned"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "entrypoint:\n mov64 r6, r1\n" + tc.body + " mov64 r0, 0\n exit\n" + child + deep
			o := both(t, src, make([]byte, 16))
			if o.kind() != tc.kind && !(tc.kind == "" && o.res.Err == nil) {
				t.Fatalf("kind %q (%v), want %q", o.kind(), o.res.Err, tc.kind)
			}
			if tc.kind != "" {
				var e *Error
				if !errors.As(o.res.Err, &e) || e.Kind.String() != tc.kind {
					t.Fatalf("error %v is not a lanes %s", o.res.Err, tc.kind)
				}
			}
		})
	}
}

func TestAtomics(t *testing.T) {
	// Each child CASes word 8 from 0 to its value and stores its value
	// at word 0; merges replay them in spawn order: the first CAS wins,
	// the last store wins, and no conflict is raised.
	achild := `
achild:
    ldxdw r7, [r1+0]
    lddw r6, 0x400000000
    mov64 r1, r6
    add64 r1, 8
    mov64 r2, 0
    mov64 r3, r7
    atomic_cas
    mov64 r8, r0
    mov64 r1, r6
    mov64 r2, r7
    atomic_store
    mov64 r1, r6
    atomic_load
    add64 r0, r8
    exit
`
	spawn := func(v, slot int) string {
		return fmt.Sprintf(" stdw [r10-8], %d\n mov64 r1, {achild}\n mov64 r2, r10\n add64 r2, -8\n mov64 r3, 8\n mov64 r4, 1000\n parallel_spawn\n stxdw [r10-%d], r0\n", v, slot)
	}
	join := func(slot int) string {
		return fmt.Sprintf(" ldxdw r1, [r10-%d]\n mov64 r3, 0\n parallel_join\n add64 r9, r0\n", slot)
	}
	src := "entrypoint:\n mov64 r9, 0\n" + spawn(5, 64) + spawn(6, 72) + spawn(7, 80) + join(80) + join(64) + join(72) +
		" mov64 r0, r9\n exit\n" + achild
	o := both(t, src, make([]byte, 16))
	if o.res.Err != nil {
		t.Fatal(o.res.Err)
	}
	// Each child saw only its own atomics: r0 = v + 0.
	if o.res.R0 != 5+6+7 {
		t.Fatalf("r0 %d", o.res.R0)
	}
	if got := o.input[0]; got != 7 {
		t.Fatalf("word 0 = %d, want the last store (7)", got)
	}
	if got := o.input[8]; got != 5 {
		t.Fatalf("word 8 = %d, want the first CAS (5)", got)
	}
}

func TestNestedSpawn(t *testing.T) {
	// A child spawns a grandchild writing input[2], joins it, and writes
	// input[3]; the parent sees both.
	src := `
entrypoint:
    mov64 r6, r1
    mov64 r1, {outer}
    mov64 r3, 0
    mov64 r4, 100000
    parallel_spawn
    mov64 r1, r0
    mov64 r3, 0
    parallel_join
    exit
outer:
    stdw [r10-24], 2
    stdw [r10-16], 4
    stdw [r10-8], 0
    mov64 r1, {child}
    mov64 r2, r10
    add64 r2, -24
    mov64 r3, 24
    mov64 r4, 10000
    parallel_spawn
    mov64 r1, r0
    mov64 r3, 0
    parallel_join
    lddw r5, 0x400000000
    stb [r5+3], 9
    exit
` + child
	o := both(t, src, make([]byte, 8))
	if o.res.Err != nil {
		t.Fatal(o.res.Err)
	}
	if o.res.R0 != 104 || o.input[2] != 4 || o.input[3] != 9 {
		t.Fatalf("r0 %d input %v", o.res.R0, o.input)
	}
}

// TestRandomProgramsMatchSerial is the property: random spawn/join
// programs give the same result, memory, CU and span when children run
// in parallel as when each runs to completion at its spawn.
func TestRandomProgramsMatchSerial(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 200
	if testing.Short() {
		n = 40
	}
	kinds := map[string]int{}
	for range n {
		kinds[checkRandom(t, rng)]++
	}
	t.Logf("outcomes: %v", kinds)
	if kinds[""] == 0 || kinds["LaneWriteConflict"] == 0 {
		t.Fatalf("the generator covers too little: %v", kinds)
	}
}

// randomProgram spawns one to six children writing random bytes of the
// input (so some conflict), with parent writes between the spawns, an
// optional fence, and joins in a random order. It also returns what an
// independent model of the semantics (children run one by one, merged in
// spawn order, conflicts by value) expects: the error kind, and when
// there is none, r0 and the input.
func randomProgram(rng *rand.Rand) (src, kind string, r0 uint64, input []byte) {
	type kid struct {
		off, val int
		base     [24]byte
		merged   bool
	}
	var P [24]byte
	var kids []*kid
	var sum uint64
	conflict := false
	mergeUpTo := func(n int) {
		for _, c := range kids[:n] {
			if c.merged || conflict {
				continue
			}
			c.merged = true
			if b := byte(c.val); b != c.base[c.off] {
				if P[c.off] != c.base[c.off] {
					conflict = true
					return
				}
				P[c.off] = b
			}
		}
	}
	k := 1 + rng.IntN(6)
	var b strings.Builder
	b.WriteString("entrypoint:\n mov64 r6, r1\n mov64 r9, 0\n")
	for i := range k {
		c := &kid{off: rng.IntN(12), val: rng.IntN(200), base: P}
		kids = append(kids, c)
		b.WriteString(spawnAt(c.off, c.val, rng.IntN(300), 64+8*i))
		if rng.IntN(4) == 0 {
			off, v := rng.IntN(16), 1+rng.IntN(200)
			fmt.Fprintf(&b, " stb [r6+%d], %d\n", off, v)
			P[off] = byte(v)
		}
	}
	if rng.IntN(3) == 0 {
		b.WriteString(" parallel_fence\n")
		mergeUpTo(k)
	}
	for _, i := range rng.Perm(k) {
		b.WriteString(joinAt(64+8*i, 16))
		mergeUpTo(i + 1)
		sum += uint64(kids[i].val) + 100
		binary.LittleEndian.PutUint64(P[16:], uint64(kids[i].val)*3)
	}
	b.WriteString(" mov64 r0, r9\n exit\n" + child)
	if conflict {
		return b.String(), "LaneWriteConflict", 0, nil
	}
	return b.String(), "", sum, P[:]
}

// FuzzParallelMatchesSerial runs the random programs of a seed in both
// modes; both fails the test on any difference.
func FuzzParallelMatchesSerial(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(7), uint64(0))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		checkRandom(t, rand.New(rand.NewPCG(a, b)))
	})
}

// checkRandom runs one random program in both modes and checks the
// outcome against the model; it returns the error kind.
func checkRandom(t *testing.T, rng *rand.Rand) string {
	t.Helper()
	src, kind, r0, input := randomProgram(rng)
	o := both(t, src, make([]byte, 24))
	if o.kind() != kind {
		t.Fatalf("kind %q (%v), model %q\n%s", o.kind(), o.res.Err, kind, src)
	}
	if kind == "" && (o.res.R0 != r0 || !bytes.Equal(o.input, input)) {
		t.Fatalf("r0 %d input %v, model r0 %d input %v\n%s", o.res.R0, o.input, r0, input, src)
	}
	return kind
}
