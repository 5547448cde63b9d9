# ring.s: a ring buffer with two consumers, in the heap. The producer
# pushes two messages; each consumer reads every message at its own pace.
#
#   agora run examples/asm/ring.s      # r0 = 12: consumer 1's 10 + consumer 0's 2
#
# agora_ring_create's third argument packs the capacity (bits 0-31) and
# the number of consumers (bits 32-39): 4 messages, 2 consumers here.
    lddw r6, 0x300000000            # the ring: the start of the heap
    mov64 r1, r6
    mov64 r2, 1024                  # bytes available for it
    lddw r3, 0x200000004            # capacity 4 | 2 consumers << 32
    mov64 r4, 8                     # largest message, in bytes
    ring_create
    stdw [r10-8], 10                # push 10, then 2
    mov64 r1, r6
    mov64 r2, r10
    sub64 r2, 8
    mov64 r3, 8
    ring_push
    stdw [r10-8], 2
    mov64 r1, r6
    mov64 r2, r10
    sub64 r2, 8
    mov64 r3, 8
    ring_push
    mov64 r1, r6                    # consumer 1 pops the first message: 10
    mov64 r2, 1
    mov64 r3, r10
    sub64 r3, 16
    mov64 r4, 8
    ring_pop
    ldxdw r7, [r10-16]
    mov64 r1, r6                    # consumer 0 skips one with pop, then peeks the second: 2
    mov64 r2, 0
    mov64 r3, r10
    sub64 r3, 16
    mov64 r4, 8
    ring_pop
    mov64 r1, r6
    mov64 r2, 0
    mov64 r3, r10
    sub64 r3, 16
    mov64 r4, 8
    ring_peek
    ldxdw r0, [r10-16]
    add64 r0, r7
    exit
