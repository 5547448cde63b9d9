# lanes.s: two children sum 1..n in parallel lanes; the parent joins
# both and returns the total.
#
#   agora run examples/asm/lanes.s --json   # returns 5050 + 20100, i.e. 25150
#
# parallel_spawn takes the child's instruction index (here 22, the
# `child` label below), a pointer to its argument, the argument's length
# and a CU limit. The child gets r1 = its own copy of the argument; join
# returns its r0. "cu" counts both lanes, "cu_span" the longest one.
    stdw [r10-8], 100               # child 1 sums 1..100
    mov64 r1, 22                    # pc of child
    mov64 r2, r10
    sub64 r2, 8
    mov64 r3, 8
    mov64 r4, 10000
    parallel_spawn
    mov64 r6, r0                    # handle 1
    stdw [r10-8], 200               # child 2 sums 1..200
    mov64 r1, 22
    mov64 r4, 10000
    parallel_spawn
    mov64 r7, r0                    # handle 2
    mov64 r1, r6
    mov64 r3, 0                     # no output buffer
    parallel_join
    mov64 r8, r0
    mov64 r1, r7
    mov64 r3, 0
    parallel_join
    add64 r0, r8
    exit
child:                              # pc 22: r0 = 1 + 2 + ... + [r1]
    ldxdw r2, [r1+0]
    mov64 r0, 0
loop:
    jeq r2, 0, done
    add64 r0, r2
    sub64 r2, 1
    ja loop
done:
    exit
