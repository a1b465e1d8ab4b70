#!/usr/bin/env bats
# Distribution detection and the package commands per distribution (FACTS.md §2), from fixture
# /etc/os-release files in a fake root; --dry-run prints the plan without running it.

load helpers

setup_file() { serve_test_archive; }

teardown_file() { s3_stop; }

setup() {
  use_test_archive
}

# plan OS_RELEASE KERNEL: runs a dry run into a fresh root; $output holds the plan.
plan() {
  local root
  root=$(make_root "$1" "$2")
  run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --root "$root" --dry-run
  [ "$status" -eq 0 ]
  [ "$(last_json | jq -r .status)" = dry-run ]
}

@test "Amazon Linux 2: yum, kernel-devel of the kernel, dkms" {
  plan amzn-2 5.10.228-219.884.amzn2.x86_64
  [[ $output == *"plan: distribution amzn 2 (family al2)"* ]]
  [[ $output == *"plan: packages: yum install -y kernel-devel-5.10.228-219.884.amzn2.x86_64 make gcc dkms"* ]]
}

@test "Amazon Linux 2023: dnf, kernel-devel, gcc, make, dkms" {
  plan amzn-2023 6.1.115-126.197.amzn2023.x86_64
  [[ $output == *"(family al2023)"* ]]
  [[ $output == *"plan: packages: dnf install -y kernel-devel-6.1.115-126.197.amzn2023.x86_64 make gcc dkms"* ]]
}

@test "RHEL 8: EPEL from fedoraproject for dkms, elfutils-libelf-devel" {
  plan rhel-8 4.18.0-553.el8_10.x86_64
  [[ $output == *"(family el8)"* ]]
  [[ $output == *"plan: packages: dnf install -y https://dl.fedoraproject.org/pub/epel/epel-release-latest-8.noarch.rpm"* ]]
  [[ $output == *"plan: packages: dnf install -y kernel-devel-4.18.0-553.el8_10.x86_64 make gcc elfutils-libelf-devel dkms"* ]]
}

@test "RHEL 9" {
  plan rhel-9 5.14.0-427.13.1.el9_4.x86_64
  [[ $output == *"(family el9)"* ]]
  [[ $output == *"epel-release-latest-9.noarch.rpm"* ]]
  [[ $output == *"kernel-devel-5.14.0-427.13.1.el9_4.x86_64 make gcc elfutils-libelf-devel dkms"* ]]
}

@test "Rocky 9 and AlmaLinux 8 take epel-release from their own repositories" {
  plan rocky-9 5.14.0-427.el9.x86_64
  [[ $output == *"(family el9)"* ]]
  [[ $output == *"plan: packages: dnf install -y epel-release"* ]]
  plan almalinux-8 4.18.0-553.el8_10.x86_64
  [[ $output == *"(family el8)"* ]]
  [[ $output == *"plan: packages: dnf install -y epel-release"* ]]
}

@test "Ubuntu: apt-get update, then linux-headers of the kernel and dkms" {
  plan ubuntu-22.04 6.8.0-1018-aws
  [[ $output == *"plan: distribution ubuntu 22.04 (family debian)"* ]]
  [[ $output == *"plan: packages: apt-get update"* ]]
  [[ $output == *"plan: packages: env DEBIAN_FRONTEND=noninteractive apt-get install -y linux-headers-6.8.0-1018-aws make gcc dkms"* ]]
}

@test "Debian" {
  plan debian-12 6.1.0-26-cloud-amd64
  [[ $output == *"plan: distribution debian 12 (family debian)"* ]]
  [[ $output == *"apt-get install -y linux-headers-6.1.0-26-cloud-amd64 make gcc dkms"* ]]
}

@test "SLES: zypper, kernel-default-devel of the kernel's version" {
  plan sles-15 5.14.21-150500.55.65-default
  [[ $output == *"plan: distribution sles 15.5 (family suse)"* ]]
  [[ $output == *"plan: packages: zypper --non-interactive install kernel-default-devel-5.14.21-150500.55.65 make gcc dkms"* ]]
}

@test "unsupported distributions and releases are named, never guessed" {
  plan fedora-40 6.8.5-301.fc40.x86_64
  [[ $output == *"(family unsupported)"* ]]
  [[ $output == *"unsupported distribution 'fedora': install yourself: kernel-devel"* ]] || [[ $output == *"unsupported distribution 'fedora': install yourself:"* ]]
  plan rhel-7 3.10.0-1160.el7.x86_64
  [[ $output == *"(family unsupported)"* ]]
}

@test "only what is missing: nothing to install when tools and headers are present" {
  root=$(make_root debian-12 6.1.0-26-cloud-amd64)
  mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/src/linux-headers-6.1.0-26-cloud-amd64"
  for tool in make gcc; do printf '#!/bin/sh\n' >"$root/usr/bin/$tool"; chmod +x "$root/usr/bin/$tool"; done
  printf '#!/bin/sh\n' >"$root/usr/sbin/dkms"; chmod +x "$root/usr/sbin/dkms"
  touch "$root/usr/src/linux-headers-6.1.0-26-cloud-amd64/Makefile"
  # An absolute symlink, as distributions ship it: resolved inside the root, not on this host.
  ln -s /usr/src/linux-headers-6.1.0-26-cloud-amd64 "$root/lib/modules/6.1.0-26-cloud-amd64/build"
  run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --root "$root" --dry-run
  [ "$status" -eq 0 ]
  [[ $output != *"plan: packages:"* ]]
  [ "$(last_json | jq -r '.kernels[0].headers')" = true ]
  [[ $output == *"headers present"* ]]
}

@test "only the missing headers are asked for" {
  root=$(make_root amzn-2023 6.1.115-126.197.amzn2023.x86_64)
  mkdir -p "$root/usr/bin"
  for tool in make gcc dkms; do printf '#!/bin/sh\n' >"$root/usr/bin/$tool"; chmod +x "$root/usr/bin/$tool"; done
  run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --root "$root" --dry-run
  [ "$status" -eq 0 ]
  [[ $output == *"plan: packages: dnf install -y kernel-devel-6.1.115-126.197.amzn2023.x86_64"$'\n'* ]]
}

@test "os-release is read as data, never sourced" {
  root=$(make_root debian-12 6.1.0-26-cloud-amd64)
  printf 'ID=$(touch %s/pwned)\nVERSION_ID="12"\n' "$BATS_TEST_TMPDIR" >"$root/etc/os-release"
  run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --root "$root" --dry-run
  [ "$status" -eq 0 ]
  [[ $output == *"(family unsupported)"* ]]
  [ ! -e "$BATS_TEST_TMPDIR/pwned" ]
}
