# mem_rodata_store: a store into the read-only program region
    lddw r2, 0x100000000
    stb [r2+0], 1
    exit
