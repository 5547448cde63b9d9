# sum.s: add up the input bytes and return the total.
#
#   agora run examples/asm/sum.s --input 0401020304      # r0 = 10: the 4 bytes 1+2+3+4
#
# r1 points at the input; its length is not passed in raw mode, so the
# program reads a one-byte count first: input = count, byte, byte, ...
    ldxb r2, [r1+0]          # r2 = number of bytes that follow
    mov64 r0, 0
    jeq r2, 0, done
loop:
    add64 r1, 1
    ldxb r3, [r1+0]
    add64 r0, r3
    sub64 r2, 1
    jne r2, 0, loop
done:
    exit
