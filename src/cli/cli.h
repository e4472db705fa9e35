/* SPDX-License-Identifier: MIT */
/* The kvmu command: one entry point per subcommand, one file each. */
#ifndef KVMU_CLI_H
#define KVMU_CLI_H

#include <stdbool.h>
#include <stddef.h>

/* `kvmu run`: boot a guest image. */
int kvmu_cli_run(int argc, char **argv);
/* `kvmu caps`: list capabilities. */
int kvmu_cli_caps(int argc, char **argv);
/* `kvmu exec`: run a KVM program on kvmu through the preload shim. */
int kvmu_cli_exec(int argc, char **argv);
/* `kvmu host`: the simulated s390 host (AP bus, vfio_ap). */
int kvmu_cli_host(int argc, char **argv);

/* Does kvmu_open() accept arch (enum kvmu_arch) in this build? */
bool cli_arch_runs(int arch);
/* "x86_64, s390x": the architectures this build runs, into buf. */
const char *cli_arch_list(char *buf, size_t len);
/* `kvmu pvimg create`: an s390 Secure Execution image (pvimg.c). */
int kvmu_cli_pvimg(int argc, char **argv);

#endif
