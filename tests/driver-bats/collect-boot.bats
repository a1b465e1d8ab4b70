#!/usr/bin/env bats
# collect-ena.sh's boot loader and fstab facts (docs/host-report.md: defaultBootKernel, fstab),
# read from fixture grub.cfg / grubenv / fstab files and a fake grubby on PATH. The kernel names
# are this host's own /lib/modules ones, because an entry is matched against installed kernels.

load helpers

COLLECT="$DRIVER_SCRIPTS/collect-ena.sh"

setup() {
  BOOT=$BATS_TEST_TMPDIR/boot
  mkdir -p "$BOOT/grub" "$BATS_TEST_TMPDIR/bin"
  export ENA_COLLECT_BOOT_DIR=$BOOT ENA_COLLECT_FSTAB=$BATS_TEST_TMPDIR/fstab
  : >"$ENA_COLLECT_FSTAB"
  KERNEL=$(basename "$(find /lib/modules -mindepth 1 -maxdepth 1 -type d | sort | tail -n 1)")
}

# collect FILTER: runs the script without grubby (PATH without it unless a test adds bin/) and prints FILTER of the report.
collect() {
  run env PATH="$BATS_TEST_TMPDIR/bin:$PATH" "$COLLECT"
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | jq -c "$1"
}

# menu: a Debian-style grub.cfg with two top-level entries and an "Advanced options" submenu.
menu() {
  cat >"$BOOT/grub/grub.cfg" <<CFG
if [ "\${next_entry}" ] ; then
   set default="\${next_entry}"
else
   set default="$1"
fi
menuentry 'Debian GNU/Linux' --class debian \$menuentry_id_option 'gnulinux-simple-1234' {
	insmod gzio
	linux	/boot/vmlinuz-9.9.9-first root=UUID=1234 ro quiet
	initrd	/boot/initrd.img-9.9.9-first
}
submenu 'Advanced options for Debian GNU/Linux' \$menuentry_id_option 'gnulinux-advanced-1234' {
	menuentry 'Debian GNU/Linux, with Linux 9.9.9-older' {
		linux	/boot/vmlinuz-9.9.9-older root=UUID=1234 ro quiet
	}
	menuentry 'Debian GNU/Linux, with Linux $KERNEL (recovery mode)' {
		linux	/vmlinuz-$KERNEL root=UUID=1234 ro single
	}
}
menuentry 'UEFI Firmware Settings' \$menuentry_id_option 'uefi-firmware' {
	fwsetup
}
CFG
}

@test "no boot loader configuration: defaultBootKernel and its source are null" {
  [ "$(collect '[.defaultBootKernel, .defaultBootSource]')" = '[null,null]' ]
}

@test "grub.cfg default 0: the first entry's linux line" {
  menu 0
  [ "$(collect '[.defaultBootKernel, .defaultBootSource]')" = '["9.9.9-first","grub.cfg"]' ]
}

@test "grub.cfg default 1>1: the second entry of the submenu, /vmlinuz without /boot" {
  menu '1>1'
  [ "$(collect .defaultBootKernel)" = "\"$KERNEL\"" ]
}

@test "grub.cfg default naming an entry by id or title: the installed kernel it names" {
  menu "gnulinux-advanced-1234>gnulinux-$KERNEL-advanced-1234"
  [ "$(collect .defaultBootKernel)" = "\"$KERNEL\"" ]
}

@test "GRUB_DEFAULT=saved: saved_entry from grubenv; a one-time next_entry wins over it" {
  # shellcheck disable=SC2016 # grub.cfg text
  menu '${saved_entry}'
  printf '# GRUB Environment Block\nsaved_entry=Debian GNU/Linux, with Linux %s\n%s\n' "$KERNEL" "$(printf '#%.0s' {1..900})" >"$BOOT/grub/grubenv"
  [ "$(collect '[.defaultBootKernel, .defaultBootSource]')" = "[\"$KERNEL\",\"grub.cfg\"]" ]
  printf 'saved_entry=%s\nnext_entry=0\n' "$KERNEL" >"$BOOT/grub/grubenv"
  [ "$(collect .defaultBootKernel)" = '"9.9.9-first"' ]
}

@test "a default that names no installed kernel, or an index past the menu: null" {
  menu 'Windows Boot Manager'
  [ "$(collect .defaultBootKernel)" = null ]
  menu 7
  [ "$(collect .defaultBootKernel)" = null ]
}

@test "BLS without grub.cfg (grub2/grubenv): saved_entry is machine-id-KVER" {
  rmdir "$BOOT/grub" && mkdir -p "$BOOT/grub2"
  printf 'saved_entry=0123456789abcdef0123456789abcdef-%s\n' "$KERNEL" >"$BOOT/grub2/grubenv"
  [ "$(collect '[.defaultBootKernel, .defaultBootSource]')" = "[\"$KERNEL\",\"grubenv\"]" ]
}

@test "grubby is asked first where it is installed; output that is not a kernel path is ignored" {
  menu 0
  printf '#!/bin/sh\necho /boot/vmlinuz-5.14.0-427.el9.x86_64\n' >"$BATS_TEST_TMPDIR/bin/grubby"
  chmod +x "$BATS_TEST_TMPDIR/bin/grubby"
  [ "$(collect '[.defaultBootKernel, .defaultBootSource]')" = '["5.14.0-427.el9.x86_64","grubby"]' ]
  printf '#!/bin/sh\necho "grubby: error reading /boot/grub2/grubenv"; exit 1\n' >"$BATS_TEST_TMPDIR/bin/grubby"
  [ "$(collect .defaultBootSource)" = '"grub.cfg"' ]
}

@test "a default line that is not a GRUB value is not read as one: entry 0, as GRUB falls back" {
  # shellcheck disable=SC2016 # text that must never run
  menu '"; touch $BATS_TEST_TMPDIR/ran #'
  [ "$(collect .defaultBootKernel)" = '"9.9.9-first"' ]
  [ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "fstab: device paths with whether they exist, UUID/LABEL specs as they are, comments skipped" {
  cat >"$ENA_COLLECT_FSTAB" <<'FSTAB'
# <file system> <mount point> <type> <options> <dump> <pass>
UUID=1234-abcd  /      ext4  defaults           0 1
LABEL=data      /data  xfs   defaults,nofail    0 2
/dev/nvme7n1p1  /nvme  ext4  defaults           0 2
/dev/null       /null  none  bind,nofail        0 0

FSTAB
  [ "$(collect .fstab)" = '[{"spec":"UUID=1234-abcd","mountPoint":"/","nofail":false,"exists":null},{"spec":"LABEL=data","mountPoint":"/data","nofail":true,"exists":null},{"spec":"/dev/nvme7n1p1","mountPoint":"/nvme","nofail":false,"exists":false},{"spec":"/dev/null","mountPoint":"/null","nofail":true,"exists":true}]' ]
}

@test "fstab: a missing file is null, a huge one is cut at 64 entries and stays valid JSON" {
  rm "$ENA_COLLECT_FSTAB"
  [ "$(collect .fstab)" = null ]
  for i in $(seq 1 200); do printf '/dev/xvd%s\t/m/"q\\%s\text4\tdefaults\t0 2\n' "$i" "$i"; done >"$ENA_COLLECT_FSTAB"
  [ "$(collect '.fstab | length')" = 64 ]
  [ "$(collect '.fstab[0].mountPoint')" = '"/m/\"q\\1"' ]
}
