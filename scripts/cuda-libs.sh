# Sourced by scripts/gpu-test and scripts/gpu-bench: the folders the loader searches for
# libcudart, libcublas and libcublasLt (CudaLibraries falls back on the loader's path).
# The toolkit's lib64 first; then the CUDA wheels PyTorch is installed with (nvidia-cublas and
# nvidia-cuda-runtime put their libraries in site-packages/nvidia/cu13/lib), for a machine whose
# toolkit has no cuBLAS: libcublas.so.13 needs libcublasLt.so.13 from the same folder.
cuda_lib_dirs=/usr/local/cuda/lib64
if command -v python3 >/dev/null 2>&1; then
    while IFS= read -r wheel_dir; do
        for d in "$wheel_dir"/cu13/lib "$wheel_dir"/cublas/lib "$wheel_dir"/cuda_runtime/lib; do
            if [ -d "$d" ]; then cuda_lib_dirs="$cuda_lib_dirs:$d"; fi
        done
    done < <(python3 -c 'import nvidia; print("\n".join(nvidia.__path__))' 2>/dev/null || true)
fi
export LD_LIBRARY_PATH=$cuda_lib_dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
unset cuda_lib_dirs

# What the loader will find, for the facts file.
cuda_lib_facts() {
    echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
    local d
    for d in ${LD_LIBRARY_PATH//:/ }; do
        ls "$d"/libcudart.so.* "$d"/libcublas.so.* "$d"/libcublasLt.so.* 2>/dev/null || true
    done
    ldconfig -p 2>/dev/null | grep -E 'libcudart|libcublas' || true
}
