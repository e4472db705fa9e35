long_hello_FORMATS := bin elf64
long_hello_LDSCRIPT := x86/long_hello/link.ld
long_hello_LIB := no
