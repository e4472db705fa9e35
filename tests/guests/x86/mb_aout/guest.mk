mb_aout_FORMATS := bin
mb_aout_LDSCRIPT := x86/mb_aout/link.ld
mb_aout_LIB := no
