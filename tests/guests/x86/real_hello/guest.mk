real_hello_FORMATS := bin
real_hello_LDSCRIPT := x86/real_hello/link.ld
real_hello_LIB := no
