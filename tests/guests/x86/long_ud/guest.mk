long_ud_FORMATS := elf64
long_ud_LDSCRIPT := x86/long_hello/link.ld
long_ud_LIB := no
