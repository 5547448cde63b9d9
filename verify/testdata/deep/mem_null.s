# mem_null: a load through a null pointer
    mov64 r2, 0
    ldxb r0, [r2+0]
    exit
