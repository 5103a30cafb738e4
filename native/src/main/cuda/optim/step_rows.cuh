// The optimizer step over one group, in every storage layout the CPU Optimizer accepts. Op holds
// this step's scalars in registers and updates one element, Op::apply(p, g, s0, s1, s2), reading
// and writing its states by reference, always in float32 (the CPU semantics: widen the inputs
// exactly, run the float32 op, round the outputs back; see storage.cuh).
//
// Layouts, per row (fs_tensor): dtype = param and grad storage, state_dtype = every state's
// storage, ptr[FS_MASTER_SLOT] = a float32 master copy or null:
//   - one dtype throughout (F32, BF16 or F16 param, grad and states);
//   - master weights: BF16/F16 param and grad, float32 master; p is read from the master, written
//     to the master and, rounded, to the half param (which is never read);
//   - states in another dtype than the param (Precision.states), with or without a master.
// A float32 row ignores ptr[FS_MASTER_SLOT] (the host never sets one there).
//
// Two kernels per rule: fs_<rule>_step (LAYOUTS false) takes float32 rows only and is the lean
// float32 loop alone, with the registers (and so the occupancy) it had before half storage; the
// host picks fs_<rule>_step_layouts (LAYOUTS true) for a group with any half buffer or master.
// Code size vs speed in the latter: the loop is a template on whether the param and the states are
// half (4 loops), the rest is a runtime value per row (BF16 or F16, master or not), chosen once per
// chunk and uniform over a block, so it never diverges. A loop per (param dtype, state dtype,
// master) combination would be 15 per rule and grows the fatbin 7x (the rules' divisions and
// square roots are long instruction sequences).
// Loads are vector-wide (4 elements: 16 bytes of float32, 8 of a half) when every buffer of the row
// is aligned for it (device allocations are); the last count % 4 elements, and unaligned rows, go
// element by element. grad_scale (nullable) multiplies every gradient first: 1/loss scale, times a
// clip coefficient.
#pragma once

#include "storage.cuh"

template <class Op, bool HALF_P, bool HALF_S>
__device__ __forceinline__ void fs_step_chunk(const Op& op, int states, const fs_tensor& t, long long start,
                                              long long count, bool scaled, float gs,
                                              const fs_storage::rounding& r) {
    using namespace fs_storage;
    const int pk = t.dtype, sk = t.state_dtype;
    const bool master = HALF_P && t.ptr[FS_MASTER_SLOT] != nullptr;
    void* p = at<HALF_P>(t.ptr[0], start);
    const void* g = at<HALF_P>(t.ptr[1], start);
    void* s0 = states > 0 ? at<HALF_S>(t.ptr[2], start) : nullptr;
    void* s1 = states > 1 ? at<HALF_S>(t.ptr[3], start) : nullptr;
    void* s2 = states > 2 ? at<HALF_S>(t.ptr[4], start) : nullptr;
    void* m = master ? at<false>(t.ptr[FS_MASTER_SLOT], start) : nullptr;
    long long scalar_from = 0;
    if (vec_aligned<HALF_P>(p) && vec_aligned<HALF_P>(g) && vec_aligned<false>(m) && vec_aligned<HALF_S>(s0)
            && vec_aligned<HALF_S>(s1) && vec_aligned<HALF_S>(s2)) {
        const long long n4 = count >> 2;
        for (long long i = threadIdx.x; i < n4; i += blockDim.x) {
            float4 pv = master ? load4<false, false>(m, i, FS_F32) : load4<HALF_P, false>(p, i, pk);
            float4 gv = load4<HALF_P, true>(g, i, pk);
            float4 a = make_float4(0.f, 0.f, 0.f, 0.f), b = a, d = a;
            if (states > 0) a = load4<HALF_S, false>(s0, i, sk);
            if (states > 1) b = load4<HALF_S, false>(s1, i, sk);
            if (states > 2) d = load4<HALF_S, false>(s2, i, sk);
            if (scaled) {
                gv.x = gv.x * gs; gv.y = gv.y * gs; gv.z = gv.z * gs; gv.w = gv.w * gs;
            }
            op.apply(pv.x, gv.x, a.x, b.x, d.x);
            op.apply(pv.y, gv.y, a.y, b.y, d.y);
            op.apply(pv.z, gv.z, a.z, b.z, d.z);
            op.apply(pv.w, gv.w, a.w, b.w, d.w);
            if (master) store4<false>(m, i, pv, FS_F32);
            store4_param<HALF_P>(p, i, pv, pk, r, start + 4 * i);
            if (states > 0) store4<HALF_S>(s0, i, a, sk);
            if (states > 1) store4<HALF_S>(s1, i, b, sk);
            if (states > 2) store4<HALF_S>(s2, i, d, sk);
        }
        scalar_from = n4 << 2;
    }
    for (long long i = scalar_from + threadIdx.x; i < count; i += blockDim.x) {
        float pv = master ? load1<false, false>(m, i, FS_F32) : load1<HALF_P, false>(p, i, pk);
        float gv = load1<HALF_P, true>(g, i, pk);
        float a = 0.f, b = 0.f, d = 0.f;
        if (states > 0) a = load1<HALF_S, false>(s0, i, sk);
        if (states > 1) b = load1<HALF_S, false>(s1, i, sk);
        if (states > 2) d = load1<HALF_S, false>(s2, i, sk);
        if (scaled) gv = gv * gs;
        op.apply(pv, gv, a, b, d);
        if (master) store1<false>(m, i, pv, FS_F32);
        store1_param<HALF_P>(p, i, pv, pk, r, start + i);
        if (states > 0) store1<HALF_S>(s0, i, a, sk);
        if (states > 1) store1<HALF_S>(s1, i, b, sk);
        if (states > 2) store1<HALF_S>(s2, i, d, sk);
    }
}

template <bool LAYOUTS, class Op>
__device__ __forceinline__ void fs_step_rows(const Op& op, int states, const fs_tensor* __restrict__ table,
                                             int rows, long long total_chunks, const fs_group* __restrict__ grp,
                                             const float* grad_scale) {
    const bool scaled = grad_scale != nullptr;
    const float gs = scaled ? *grad_scale : 1.0f;
    const bool stochastic = (grp->flags & FS_STOCHASTIC) != 0;
    for (long long c = blockIdx.x; c < total_chunks; c += gridDim.x) {
        const fs_chunk k = fs_chunk_at(table, rows, c);
        const fs_tensor& t = table[k.row];
        if constexpr (!LAYOUTS) {
            fs_step_chunk<Op, false, false>(op, states, t, k.start, k.count, scaled, gs, fs_storage::rounding{false, 0u});
            continue;
        }
        fs_storage::rounding r;
        r.stochastic = stochastic && t.dtype == FS_BF16;
        // keyed by the step the prepare kernel just advanced to, as the CPU keys by the step being taken
        r.key = r.stochastic ? fs_storage::rounding_key(grp->seed, t.index, grp->step) : 0u;
        const bool half_p = t.dtype != FS_F32, half_s = states > 0 && t.state_dtype != FS_F32;
        if (!half_p && !half_s) {
            fs_step_chunk<Op, false, false>(op, states, t, k.start, k.count, scaled, gs, r);
        } else if (!half_p) {
            fs_step_chunk<Op, false, true>(op, states, t, k.start, k.count, scaled, gs, r);
        } else if (!half_s) {
            fs_step_chunk<Op, true, false>(op, states, t, k.start, k.count, scaled, gs, r);
        } else {
            fs_step_chunk<Op, true, true>(op, states, t, k.start, k.count, scaled, gs, r);
        }
    }
}
