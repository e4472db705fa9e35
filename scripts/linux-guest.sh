#!/bin/sh
# Make the Linux test guest: Debian 12's cloud kernel (apt-get download,
# never installed on the host) and a busybox initramfs whose /init prints
# what the tests look for, then reboots (which ends QEMU -no-reboot and
# `kvmu run`).  Usage: sh scripts/linux-guest.sh OUTDIR
# Leaves OUTDIR/vmlinuz and OUTDIR/initramfs.cpio.gz; reuses them when they
# are already there.  Needs busybox-static and cpio (scripts/deps.sh).
set -e
out=${1:?usage: linux-guest.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

kernel() {
	[ -s "$out/vmlinuz" ] && return 0
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
			sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' |
			head -n 1)
	fi
	[ -n "$pkg" ] || { echo "linux-guest: no cloud kernel package" >&2; return 1; }
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -qq "$pkg" >/dev/null 2>&1) ||
		{ rm -rf "$tmp"; echo "linux-guest: apt-get download $pkg failed" >&2; return 1; }
	dpkg-deb -x "$tmp"/*.deb "$tmp/x"
	cp "$tmp"/x/boot/vmlinuz-* "$out/vmlinuz.part"
	mv "$out/vmlinuz.part" "$out/vmlinuz"
	echo "$pkg" > "$out/kernel-package"
	rm -rf "$tmp"
}

initramfs() {
	[ -s "$out/initramfs.cpio.gz" ] && return 0
	bb=$(command -v busybox || true)
	[ -n "$bb" ] && file -L "$bb" 2>/dev/null | grep -q static || bb=/bin/busybox
	[ -x "$bb" ] || { echo "linux-guest: busybox-static missing" >&2; return 1; }
	tmp=$(mktemp -d)
	mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/sys" "$tmp/dev"
	cp "$bb" "$tmp/bin/busybox"
	for c in sh mount cat echo reboot sleep; do ln -s busybox "$tmp/bin/$c"; done
	# What the tests read: the marker, the CPUs Linux brought online and
	# a clock that moves (uptime twice around a sleep).
	cat > "$tmp/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "kvmu-linux: init reached"
echo "kvmu-linux: cpus online $(cat /sys/devices/system/cpu/online)"
echo "kvmu-linux: uptime $(cut -d' ' -f1 /proc/uptime)"
sleep 1
echo "kvmu-linux: uptime $(cut -d' ' -f1 /proc/uptime)"
echo "kvmu-linux: done"
reboot -f
EOF
	ln -s busybox "$tmp/bin/cut"
	chmod 755 "$tmp/init"
	(cd "$tmp" && find . | cpio -o -H newc --quiet) | gzip -9 > "$out/initramfs.part"
	mv "$out/initramfs.part" "$out/initramfs.cpio.gz"
	rm -rf "$tmp"
}

kernel
initramfs
