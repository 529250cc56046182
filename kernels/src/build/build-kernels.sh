#!/usr/bin/env bash
# Build step of module kernels (run by exec-maven-plugin in generate-resources):
#   1. lists every file of src/main/cuda into <out>/index.txt, which HostEmulationRuntime and the NVRTC fallback
#      read to find the sources (they ship as resources beside it);
#   2. compiles each .cu with nvcc into <out>/<family>.fatbin: SASS for sm_75 (Turing), sm_80 (Ampere; the same
#      binary runs on sm_86/sm_89) and sm_90 (Hopper), so every GPU from sm_75 to sm_90 loads machine code, plus
#      compute_75 PTX, which the driver JIT-compiles (once, cached) for GPUs newer than Hopper.
#      A compile error fails the build.
# Without nvcc the build still succeeds and says so; the kernels then come from NVRTC at run time.
set -euo pipefail
src=$1
out=$2
mkdir -p "$out"
(cd "$src" && ls -1 | grep -E '\.(cu|cuh)$') > "$out/index.txt"
NVCC=${NVCC:-$(command -v nvcc || true)}
if [ -z "$NVCC" ]; then
  echo "[kernels] nvcc not found: no fatbin built; the CUDA runtime will compile the kernels with NVRTC at run time"
  exit 0
fi
start=$(date +%s%N)
compile() {
  local cu=$1 name
  name=$(basename "$cu" .cu)
  # Rebuild only when this source or a header is newer than its fatbin.
  if [ -f "$out/$name.fatbin" ] && [ -z "$(find "$cu" "$src"/*.cuh -newer "$out/$name.fatbin" | head -1)" ]; then
    return 0
  fi
  "$NVCC" -fatbin -std=c++17 -O3 -I"$src" \
    -gencode arch=compute_75,code=sm_75 -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
    -gencode arch=compute_75,code=compute_75 \
    -o "$out/$name.fatbin.tmp" "$cu"
  mv "$out/$name.fatbin.tmp" "$out/$name.fatbin"
}
export -f compile
export NVCC src out
find "$src" -maxdepth 1 -name '*.cu' -print0 | xargs -0 -r -P 2 -I{} bash -c 'compile "$@"' _ {}
echo "[kernels] nvcc: $(find "$out" -name '*.fatbin' | wc -l) fatbins up to date in $(( ($(date +%s%N) - start) / 1000000 )) ms"
