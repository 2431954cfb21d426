// AssemblyScript, compiled to WebAssembly by `npm run build:kernels` (rank-update.wasm.ts).
//
// The inner loop of EASE's inverse: target[j] -= sum over m < w of f[m] * rows[m][j], for j in
// [from, to). `target`, `rows` (w rows of n doubles, one after another) and `f` are byte offsets
// into the memory the host imports. Two doubles per SIMD lane pair, eight rows a pass: one load and
// store of the target for eight multiply-adds, with no bounds check on any access.

export function rankUpdate(target: usize, rows: usize, f: usize, n: i32, w: i32, from: i32, to: i32): void {
  const stride = (<usize>n) << 3;
  let m = 0;
  for (; m + 8 <= w; m += 8) {
    const fp = f + ((<usize>m) << 3);
    const f0 = v128.load64_splat(fp);
    const f1 = v128.load64_splat(fp + 8);
    const f2 = v128.load64_splat(fp + 16);
    const f3 = v128.load64_splat(fp + 24);
    const f4 = v128.load64_splat(fp + 32);
    const f5 = v128.load64_splat(fp + 40);
    const f6 = v128.load64_splat(fp + 48);
    const f7 = v128.load64_splat(fp + 56);
    const r0 = rows + (<usize>m) * stride;
    let j = from;
    for (; j + 2 <= to; j += 2) {
      const off = (<usize>j) << 3;
      let p = r0 + off;
      let s = f64x2.mul(f0, v128.load(p));
      p += stride;
      s = f64x2.add(s, f64x2.mul(f1, v128.load(p)));
      p += stride;
      s = f64x2.add(s, f64x2.mul(f2, v128.load(p)));
      p += stride;
      s = f64x2.add(s, f64x2.mul(f3, v128.load(p)));
      p += stride;
      let t = f64x2.mul(f4, v128.load(p));
      p += stride;
      t = f64x2.add(t, f64x2.mul(f5, v128.load(p)));
      p += stride;
      t = f64x2.add(t, f64x2.mul(f6, v128.load(p)));
      p += stride;
      t = f64x2.add(t, f64x2.mul(f7, v128.load(p)));
      v128.store(target + off, f64x2.sub(v128.load(target + off), f64x2.add(s, t)));
    }
    if (j < to) eightRowsAt(target, r0, stride, fp, j);
  }
  for (; m < w; m++) {
    const c = load<f64>(f + ((<usize>m) << 3));
    const r = rows + (<usize>m) * stride;
    for (let j = from; j < to; j++) {
      const off = (<usize>j) << 3;
      store<f64>(target + off, load<f64>(target + off) - c * load<f64>(r + off));
    }
  }
}

// The last odd column of eight rows, added in the same order as a lane of the pairs above.
@inline
function eightRowsAt(target: usize, r0: usize, stride: usize, fp: usize, j: i32): void {
  const off = (<usize>j) << 3;
  const p = r0 + off;
  const s =
    load<f64>(fp) * load<f64>(p) +
    load<f64>(fp + 8) * load<f64>(p + stride) +
    load<f64>(fp + 16) * load<f64>(p + 2 * stride) +
    load<f64>(fp + 24) * load<f64>(p + 3 * stride);
  const t =
    load<f64>(fp + 32) * load<f64>(p + 4 * stride) +
    load<f64>(fp + 40) * load<f64>(p + 5 * stride) +
    load<f64>(fp + 48) * load<f64>(p + 6 * stride) +
    load<f64>(fp + 56) * load<f64>(p + 7 * stride);
  store<f64>(target + off, load<f64>(target + off) - (s + t));
}
