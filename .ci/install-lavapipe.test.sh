#!/usr/bin/env bash
# Tests .ci/install-lavapipe.sh on made-up /etc trees (--root): the backports source it writes is
# derived from the entry there, whatever its host, format (deb822 or one-line) or key; an existing
# backports entry is reused; without a usable entry it says so and exits 0. Nothing on this machine
# is read or changed. Run: .ci/install-lavapipe.test.sh
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/install-lavapipe.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# mkroot NAME CODENAME: an empty /etc tree with an os-release naming CODENAME.
mkroot() {
  mkdir -p "$tmp/$1/etc/apt/sources.list.d"
  printf 'ID=debian\nVERSION_CODENAME=%s\n' "$2" > "$tmp/$1/etc/os-release"
  echo "$tmp/$1"
}
check() { # check NAME CONDITION-DESCRIPTION COMMAND...
  local name="$1" what="$2"; shift 2
  if "$@"; then echo "ok   $name: $what"; else echo "FAIL $name: $what"; fails=$((fails + 1)); fi
}

# 1. deb822, a mirror host and a security entry before the main one.
r=$(mkroot deb822 bookworm)
cat > "$r/etc/apt/sources.list.d/debian.sources" <<'EOF'
Types: deb
URIs: http://mirror.example.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

# the main archive
Types: deb deb-src
URIs: http://mirror.example.org/debian http://second.example.org/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
out=$("$script" --root "$r")
f="$r/etc/apt/sources.list.d/mamba-cl-bookworm-backports.sources"
check deb822 "writes the backports source from the main entry" \
  grep -qx 'URIs: http://mirror.example.org/debian' "$f"
check deb822 "suite and key" bash -c "grep -qx 'Suites: bookworm-backports' '$f' && grep -qx 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' '$f'"
check deb822 "prints the install command" grep -q 'would run: apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers' <<<"$out"
# 2. Idempotent: a second run reuses the entry it wrote.
out=$("$script" --root "$r")
check rerun "reuses the entry it wrote" grep -q 'bookworm-backports is already configured (http://mirror.example.org/debian)' <<<"$out"
check rerun "writes nothing else" test "$(ls "$r/etc/apt/sources.list.d" | wc -l)" -eq 2

# 3. One-line sources.list with a signed-by option; another codename.
r=$(mkroot oneline trixie)
cat > "$r/etc/apt/sources.list" <<'EOF'
# deb http://commented.example.org/debian trixie main
deb [arch=amd64 signed-by=/etc/apt/keyrings/archive.gpg] https://archive.example.net/debian trixie main non-free-firmware
deb https://archive.example.net/debian-security trixie-security main
EOF
"$script" --root "$r" >/dev/null
f="$r/etc/apt/sources.list.d/mamba-cl-trixie-backports.sources"
check oneline "URI and key from the one-line entry" bash -c "grep -qx 'URIs: https://archive.example.net/debian' '$f' && grep -qx 'Signed-By: /etc/apt/keyrings/archive.gpg' '$f' && grep -qx 'Suites: trixie-backports' '$f'"

# 4. An inline key (deb822 continuation lines) is copied whole; a disabled entry is ignored.
r=$(mkroot inline bookworm)
cat > "$r/etc/apt/sources.list.d/a.sources" <<'EOF'
Enabled: no
Types: deb
URIs: http://disabled.example.org/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://inline.example.org/debian
Suites: bookworm
Components: main
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mQINBGPL0BUBEADmW5NdOOHwPIJlgPu6JDcKw/NZJPR8lsD3K87ZM18gzyQZJD+w
 -----END PGP PUBLIC KEY BLOCK-----
EOF
"$script" --root "$r" >/dev/null
f="$r/etc/apt/sources.list.d/mamba-cl-bookworm-backports.sources"
check inline "skips the disabled entry" grep -qx 'URIs: http://inline.example.org/debian' "$f"
check inline "copies the inline key" bash -c "grep -qx 'Signed-By:' '$f' && grep -qx ' -----BEGIN PGP PUBLIC KEY BLOCK-----' '$f' && grep -qx ' .' '$f' && grep -qx ' -----END PGP PUBLIC KEY BLOCK-----' '$f'"

# 5. An existing backports entry (one-line) is reused, nothing written.
r=$(mkroot existing bookworm)
printf 'deb http://a.example.org/debian bookworm main\ndeb http://a.example.org/debian bookworm-backports main\n' \
  > "$r/etc/apt/sources.list.d/x.list"
out=$("$script" --root "$r")
check existing "reuses the configured backports" grep -q 'bookworm-backports is already configured (http://a.example.org/debian)' <<<"$out"
check existing "writes no source" test ! -e "$r/etc/apt/sources.list.d/mamba-cl-bookworm-backports.sources"

# 6. --dry-run writes nothing and prints the stanza.
r=$(mkroot dry bookworm)
printf 'Types: deb\nURIs: http://d.example.org/debian\nSuites: bookworm\nComponents: main\n' > "$r/etc/apt/sources.list.d/d.sources"
out=$("$script" --root "$r" --dry-run)
check dry-run "prints the stanza" grep -q '    URIs: http://d.example.org/debian' <<<"$out"
check dry-run "writes nothing" test ! -e "$r/etc/apt/sources.list.d/mamba-cl-bookworm-backports.sources"
check dry-run "no Signed-By line when the entry has none" bash -c "! grep -q Signed-By <<<'$out'"

# 7. No entry for the codename (only a third-party source), or no codename: a message, exit 0.
r=$(mkroot none bookworm)
printf 'deb https://deb.example.com/node_20.x nodistro main\n' > "$r/etc/apt/sources.list.d/n.list"
set +e; out=$("$script" --root "$r"); rc=$?; set -e
check none "exits 0" test "$rc" -eq 0
check none "says there is no entry" grep -q 'no apt entry for suite bookworm (component main)' <<<"$out"
r=$(mkroot nocodename "")
set +e; out=$("$script" --root "$r"); rc=$?; set -e
check nocodename "exits 0 with a message" bash -c "[[ $rc -eq 0 ]] && grep -q 'no VERSION_CODENAME' <<<'$out'"

[[ $fails -eq 0 ]] && echo "install-lavapipe: all checks passed" || { echo "install-lavapipe: $fails check(s) failed"; exit 1; }
