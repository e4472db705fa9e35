long_pf_FORMATS := elf64
long_pf_LDSCRIPT := x86/long_hello/link.ld
long_pf_LIB := no
