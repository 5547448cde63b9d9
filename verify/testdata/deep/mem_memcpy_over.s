# mem_memcpy_over: sol_memcpy_ of 16 bytes at the frame's last 8: the VM maps frames contiguously, so it runs on into the next frame without a fault
    mov64 r1, r10
    add64 r1, -8
    mov64 r2, r10
    add64 r2, -32
    mov64 r3, 16
    syscall sol_memcpy_
    mov64 r0, 0
    exit
