#!/usr/bin/env bash
# The GPU check on a lent machine (issue 17, item 4). Runs from the repository root of the copy the
# device tool makes, with .gpu-check/ (prepare.sh's bundle) carried. Needs python3 (PyTorch for the
# reference) and nothing else: Node.js, Dawn and the Vulkan loader come from the bundle.
#
#   bash scripts/gpu-check/device_run.sh [--depth 48] [--budget-s 420] [--forward-batch 32]
#       [--step-batch 16] [--tiny-batch 64,512] [--no-torch] [--dry-run]
#
# Writes to $OUT (default ./gpu-check-out): log.txt (everything), js.jsonl (check.mjs), torch.jsonl
# (torch_reference.py), summary.json (summary.mjs), MANIFEST.txt (what the bundle held).
# Each step has its own timeout, derived from --budget-s (wall seconds for the whole script, default
# 420; the device tool allows 600 per command), so a hang or a crash loses only that step.
# --dry-run: for a machine without a GPU (lavapipe, CPU PyTorch): accepts a software adapter, tiny
# sizes (depth 1, batches 8/2/1), PyTorch on the CPU ($PYTHON, default python3).
set -uo pipefail
cd "$(dirname "$0")/../.."
DEPTH=48 BUDGET=420 FWD_BATCH=32 STEP_BATCH=16 TINY_BATCH=64,512 TORCH=1 DRY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --depth) DEPTH=$2; shift 2 ;;
    --budget-s) BUDGET=$2; shift 2 ;;
    --forward-batch) FWD_BATCH=$2; shift 2 ;;
    --step-batch) STEP_BATCH=$2; shift 2 ;;
    --tiny-batch) TINY_BATCH=$2; shift 2 ;;
    --no-torch) TORCH=0; shift ;;
    --dry-run) DRY=1; shift ;;
    *) echo "device_run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-$PWD/gpu-check-out}
mkdir -p "$OUT"
: >"$OUT/js.jsonl"
: >"$OUT/torch.jsonl"
exec > >(tee -a "$OUT/log.txt") 2>&1
TEE_PID=$!
START=$(date +%s)
PY=${PYTHON:-python3}
JS_EXTRA=() TORCH_DEVICE=cuda
if [ "$DRY" = 1 ]; then
  DEPTH=1 FWD_BATCH=2 STEP_BATCH=1 TINY_BATCH=8 TORCH_DEVICE=cpu
  JS_EXTRA=(--allow-software --max-steps 3 --warmup 1)
fi
# seconds of the budget per step; the programs' own timed loops get about half (the rest: start-up,
# model build, shader compilation, warm-up)
t_of() { awk -v b="$BUDGET" -v f="$1" 'BEGIN { printf "%d", b * f }'; }
T_TINY=$(t_of 0.14) T_FWD=$(t_of 0.24) T_STEP=$(t_of 0.30) T_TORCH=$(t_of 0.22)
half() { echo $(($1 / 2)); }
stamp() { echo "=== $(($(date +%s) - START)) s: $*"; }

stamp "unpack"
B=${GPU_CHECK_DIR:-/tmp/gpu-check}
rm -rf "$B"
"$PY" scripts/gpu-check/unpack.py .gpu-check/bundle.tar.xz "$B" || { echo "no bundle: run prepare.sh and carry .gpu-check"; exit 1; }
cp "$B/MANIFEST.txt" "$OUT/MANIFEST.txt"
head -2 "$B/MANIFEST.txt"
NODE=$B/node/bin/node APP=$B/app/check.mjs
"$NODE" --version

stamp "machine"
uname -a; nproc; uptime
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used,clocks.sm --format=csv
# Vulkan: the machine's loader, else the bundle's (Debian's libvulkan1 + libGLdispatch)
if ! ldconfig -p | grep -q 'libvulkan\.so\.1' || ! ldconfig -p | grep -q 'libGLdispatch\.so\.0'; then
  echo "vulkan: using the bundle's loader/libGLdispatch ($B/lib)"
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$B/lib"
fi
[ -d /usr/local/nvidia/lib64 ] && case ":${LD_LIBRARY_PATH:-}:" in *:/usr/local/nvidia/lib64:*) ;; *)
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/nvidia/lib64" ;; esac
NV_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d 2>/dev/null
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ -f "$NV_ICD" ] &&
  ! ls /usr/share/vulkan/icd.d/*nvidia* /etc/vulkan/icd.d/*nvidia* >/dev/null 2>&1; then
  echo "vulkan: using $NV_ICD"
  export VK_DRIVER_FILES=$NV_ICD VK_ICD_FILENAMES=$NV_ICD
fi

stamp "adapter probe"
probe() { timeout -k 5 45 "$NODE" "$APP" --phases none "${JS_EXTRA[@]}"; }
probe >>"$OUT/js.jsonl"
rc=$?
if [ $rc -ne 0 ] && [ -f "$NV_ICD" ] && [ "${VK_DRIVER_FILES:-}" != "$NV_ICD" ]; then
  echo "probe failed ($rc); again with VK_DRIVER_FILES=$NV_ICD and the loader's messages"
  export VK_DRIVER_FILES=$NV_ICD VK_ICD_FILENAMES=$NV_ICD
  VK_LOADER_DEBUG=error,warn probe >>"$OUT/js.jsonl"
  rc=$?
fi
if [ $rc -ne 0 ]; then
  echo "no hardware WebGPU adapter (exit $rc): JS phases skipped"
  ldconfig -p | grep -i -E 'vulkan|GLX_nvidia|GLdispatch'
  env | grep -E '^(VK_|LD_LIBRARY_PATH)'
else
  stamp "tiny step (webgpu) + tiny step (wasm, this CPU); timeout ${T_TINY} s"
  timeout -k 5 "$T_TINY" "$NODE" "$APP" --phases tiny,wasm --tiny-batch "$TINY_BATCH" \
    --budget-s "$(half "$T_TINY")" "${JS_EXTRA[@]}" >>"$OUT/js.jsonl"
  echo "exit $?"
  stamp "scan alone + large forward, depth $DEPTH, batch $FWD_BATCH (+ runWebGpuScanPerf); timeout ${T_FWD} s"
  # scan-perf: ssm-core's runWebGpuScanPerf (chunked beside fused; its large shape takes minutes on
  # lavapipe, so a dry run uses a small one)
  timeout -k 5 "$T_FWD" "$NODE" "$APP" --phases scan,large-forward,scan-perf --depth "$DEPTH" \
    $([ "$DRY" = 1 ] && echo --scan-perf-shapes 2,16,32,16) \
    --forward-batch "$FWD_BATCH" --step-batch "$STEP_BATCH" --budget-s "$(half "$T_FWD")" "${JS_EXTRA[@]}" >>"$OUT/js.jsonl"
  echo "exit $?"
  stamp "large training step, depth $DEPTH, batch $STEP_BATCH; timeout ${T_STEP} s"
  timeout -k 5 "$T_STEP" "$NODE" "$APP" --phases large-step --depth "$DEPTH" \
    --step-batch "$STEP_BATCH" --budget-s "$(half "$T_STEP")" "${JS_EXTRA[@]}" >>"$OUT/js.jsonl"
  echo "exit $?"
fi

if [ "$TORCH" = 1 ]; then
  stamp "PyTorch reference on $TORCH_DEVICE, depth $DEPTH; timeout ${T_TORCH} s"
  PYTHONUNBUFFERED=1 timeout -k 5 "$T_TORCH" "$PY" scripts/gpu-check/torch_reference.py --device "$TORCH_DEVICE" \
    --depth "$DEPTH" --forward-batch "$FWD_BATCH" --step-batch "$STEP_BATCH" --budget-s "$(half "$T_TORCH")" \
    $([ "$DRY" = 1 ] && echo --max-steps 2 --warmup 1) >>"$OUT/torch.jsonl"
  echo "exit $?"
fi

stamp "summary"
"$NODE" scripts/gpu-check/summary.mjs "$OUT/js.jsonl" "$OUT/torch.jsonl" >"$OUT/summary.json"
stamp "done"
# let tee write the last lines to log.txt before the device tool collects $OUT
exec >&- 2>&-
wait "$TEE_PID" 2>/dev/null || true
