# loop_input_count: a loop that runs an input-chosen number of times
    ldxdw r2, [r1+0]
    mov64 r0, 0
loop:
    jeq r2, 0, out
    add64 r2, -1
    add64 r0, 3
    ja loop
out:
    exit
