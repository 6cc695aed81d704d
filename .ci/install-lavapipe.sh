#!/usr/bin/env bash
# Installs Mesa's lavapipe (mesa-vulkan-drivers >= 24, a software Vulkan driver) so that Dawn, and with
# it the webgpu backend, finds a WebGPU adapter on a machine without a GPU. Debian bookworm's own Mesa
# (22.3) is refused by Dawn; bookworm-backports has 25.x.
#
# The backports source is derived from the machine's own apt configuration: the entry of the
# distribution's main archive (the one whose suite is the release codename, component main) gives the
# URIs and Signed-By; the script never names a host. It is idempotent: nothing happens when
# mesa-vulkan-drivers >= 24 is installed, and an existing <codename>-backports entry is reused.
# It never fails the caller: when something is missing it says so and exits 0 (the webgpu suites then
# skip with a message).
#
# Usage: .ci/install-lavapipe.sh [--dry-run] [--root DIR]
#   --dry-run   print the source it would write and the apt-get commands; change nothing
#   --root DIR  read DIR/etc/apt and DIR/etc/os-release instead of /etc, write the source under
#               DIR/etc/apt/sources.list.d, and only print the apt-get commands (for tests)
set -uo pipefail

root=""
dry=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) dry=1 ;;
    --root) root="${2:?--root needs a directory}"; shift ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-lavapipe: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
# Only the real machine is inspected and changed; --root and --dry-run just show what would happen.
real=$([[ -z "$root" && $dry -eq 0 ]] && echo 1 || echo 0)
say() { echo "lavapipe: $*"; }
apt_dir="$root/etc/apt"

mesa_major() {
  local v
  v=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null) || return 1
  [[ -n "$v" ]] || return 1
  v=${v#*:}
  echo "${v%%.*}"
}

if [[ -z "$root" ]] && command -v dpkg-query >/dev/null 2>&1; then
  if major=$(mesa_major) && [[ "$major" -ge 24 ]]; then
    say "mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) is installed; nothing to do"
    exit 0
  fi
fi
if [[ -z "$root" ]] && ! command -v apt-get >/dev/null 2>&1; then
  say "no apt-get on this machine; not installed (the webgpu tests will be skipped)"
  exit 0
fi

codename=""
if [[ -r "$root/etc/os-release" ]]; then
  codename=$(. "$root/etc/os-release" && echo "${VERSION_CODENAME:-}")
fi
if [[ -z "$codename" ]]; then
  say "no VERSION_CODENAME in $root/etc/os-release; not installed (the webgpu tests will be skipped)"
  exit 0
fi
suite="$codename-backports"

shopt -s nullglob
deb822=("$apt_dir"/sources.list.d/*.sources)
oneline=()
[[ -r "$apt_dir/sources.list" ]] && oneline+=("$apt_dir/sources.list")
oneline+=("$apt_dir"/sources.list.d/*.list)
shopt -u nullglob

# Prints the entry of suite $1 with component main, as "URI<TAB>SIGNED-BY" (SIGNED-BY may be empty;
# an inline key keeps its continuation lines, with "\n" between them), from deb822 .sources files and
# one-line .list files. Disabled entries (Enabled: no) and deb-src entries are ignored.
find_entry() {
  local want="$1"
  if [[ ${#deb822[@]} -gt 0 ]]; then
    awk -v want="$want" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " want " ") && (" " comps " ") ~ / main / \
            && uris != "" && tolower(enabled) != "no" && !found) {
          split(uris, u, " "); print u[1] "\t" signed; found = 1
        }
        types = suites = comps = uris = signed = enabled = ""; key = ""
      }
      FNR == 1 { flush() }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]/ { if (key == "signed-by") { line = $0; sub(/^[ \t]+/, "", line); signed = signed "\\n " line } next }
      {
        i = index($0, ":"); if (i == 0) next
        key = tolower(substr($0, 1, i - 1)); val = substr($0, i + 1)
        gsub(/^[ \t]+|[ \t]+$/, "", val); gsub(/[ \t]+/, " ", val)
        if (key == "types") types = val; else if (key == "suites") suites = val
        else if (key == "components") comps = val; else if (key == "uris") uris = val
        else if (key == "signed-by") signed = val; else if (key == "enabled") enabled = val
      }
      END { flush() }
    ' "${deb822[@]}"
  fi
  if [[ ${#oneline[@]} -gt 0 ]]; then
    awk -v want="$want" '
      /^[ \t]*deb[ \t]/ {
        line = $0; sub(/#.*/, "", line); opts = ""
        if (match(line, /\[[^]]*\]/)) { opts = substr(line, RSTART + 1, RLENGTH - 2); line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH) }
        n = split(line, f, /[ \t]+/); k = (f[1] == "") ? 2 : 1
        if (f[k] != "deb" || f[k + 2] != want) next
        main = 0; for (j = k + 3; j <= n; j++) if (f[j] == "main") main = 1
        if (!main) next
        signed = ""; m = split(opts, o, /[ \t]+/)
        for (j = 1; j <= m; j++) if (o[j] ~ /^signed-by=/) { signed = substr(o[j], 11) }
        print f[k + 1] "\t" signed; exit
      }
    ' "${oneline[@]}"
  fi
}

existing=$(find_entry "$suite" | head -n 1)
if [[ -n "$existing" ]]; then
  say "$suite is already configured (${existing%%$'\t'*})"
else
  entry=$(find_entry "$codename" | head -n 1)
  if [[ -z "$entry" ]]; then
    say "no apt entry for suite $codename (component main) in $apt_dir; not installed (the webgpu tests will be skipped)"
    exit 0
  fi
  uri=${entry%%$'\t'*}
  signed=${entry#*$'\t'}
  file="$apt_dir/sources.list.d/mamba-cl-$suite.sources"
  stanza=$(printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$uri" "$suite")
  if [[ -n "$signed" ]]; then
    key=$(printf '%b' "$signed")
    # a path follows on the same line; an inline key starts on the next (its continuation lines)
    if [[ "$key" == $'\n'* ]]; then stanza+=$'\n'"Signed-By:$key"; else stanza+=$'\n'"Signed-By: $key"; fi
  fi
  if [[ $dry -eq 1 ]]; then
    say "would write $file:"
    printf '%s\n' "$stanza" | sed 's/^/    /'
  else
    { echo "# Added by mamba-cl .ci/install-lavapipe.sh (derived from the $codename entry; for mesa-vulkan-drivers)"
      printf '%s\n' "$stanza"; } > "$file" || { say "cannot write $file; not installed"; exit 0; }
    say "wrote $file (from the $codename entry: $uri)"
  fi
fi

commands=("apt-get update -qq" "apt-get install -y -qq -t $suite mesa-vulkan-drivers")
if [[ $real -eq 0 ]]; then
  for c in "${commands[@]}"; do say "would run: $c"; done
  exit 0
fi
sudo=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
    say "not root and no password-less sudo; not installed (the webgpu tests will be skipped)"
    exit 0
  fi
fi
if ! "${sudo[@]}" apt-get update -qq; then
  say "apt-get update failed; not installed (the webgpu tests will be skipped)"
  exit 0
fi
if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq -t "$suite" mesa-vulkan-drivers >/dev/null; then
  say "mesa-vulkan-drivers from $suite could not be installed (the webgpu tests will be skipped)"
  exit 0
fi
if major=$(mesa_major) && [[ "$major" -ge 24 ]]; then
  say "installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) from $suite"
else
  say "mesa-vulkan-drivers from $suite is older than 24; Dawn will find no adapter (the webgpu tests will be skipped)"
fi
exit 0
