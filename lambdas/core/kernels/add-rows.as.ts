// AssemblyScript, compiled to WebAssembly by `npm run build:kernels` (add-rows.wasm.ts).
//
// The collaborative sums over the model's head: out[t] += sum over k < count of
// likings[k] * weights[rows[k] * n + t], for t in [0, n). `weights` is an n × n matrix of 32-bit
// floats, `rows` 32-bit row numbers, `likings` and `out` doubles: all byte offsets into the memory
// the host imports. Four rows a pass, two doubles per lane pair: one load and store of `out` for
// eight multiply-adds, in double precision like the rest of the ranking.

export function addRows(weights: usize, n: i32, rows: usize, likings: usize, count: i32, out: usize): void {
  const rowBytes = (<usize>n) << 2;
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const r0 = weights + (<usize>load<i32>(rows + ((<usize>k) << 2))) * rowBytes;
    const r1 = weights + (<usize>load<i32>(rows + ((<usize>k + 1) << 2))) * rowBytes;
    const r2 = weights + (<usize>load<i32>(rows + ((<usize>k + 2) << 2))) * rowBytes;
    const r3 = weights + (<usize>load<i32>(rows + ((<usize>k + 3) << 2))) * rowBytes;
    const lp = likings + ((<usize>k) << 3);
    const l0 = v128.load64_splat(lp);
    const l1 = v128.load64_splat(lp + 8);
    const l2 = v128.load64_splat(lp + 16);
    const l3 = v128.load64_splat(lp + 24);
    let t = 0;
    for (; t + 2 <= n; t += 2) {
      const w = (<usize>t) << 2;
      let s = f64x2.mul(l0, f64x2.promote_low_f32x4(v128.load64_zero(r0 + w)));
      s = f64x2.add(s, f64x2.mul(l1, f64x2.promote_low_f32x4(v128.load64_zero(r1 + w))));
      s = f64x2.add(s, f64x2.mul(l2, f64x2.promote_low_f32x4(v128.load64_zero(r2 + w))));
      s = f64x2.add(s, f64x2.mul(l3, f64x2.promote_low_f32x4(v128.load64_zero(r3 + w))));
      const o = out + ((<usize>t) << 3);
      v128.store(o, f64x2.add(v128.load(o), s));
    }
    if (t < n) {
      const w = (<usize>t) << 2;
      const s =
        f64x2.extract_lane(l0, 0) * <f64>load<f32>(r0 + w) +
        f64x2.extract_lane(l1, 0) * <f64>load<f32>(r1 + w) +
        f64x2.extract_lane(l2, 0) * <f64>load<f32>(r2 + w) +
        f64x2.extract_lane(l3, 0) * <f64>load<f32>(r3 + w);
      const o = out + ((<usize>t) << 3);
      store<f64>(o, load<f64>(o) + s);
    }
  }
  for (; k < count; k++) {
    const r = weights + (<usize>load<i32>(rows + ((<usize>k) << 2))) * rowBytes;
    const l = load<f64>(likings + ((<usize>k) << 3));
    for (let t = 0; t < n; t++) {
      const o = out + ((<usize>t) << 3);
      store<f64>(o, load<f64>(o) + l * <f64>load<f32>(r + ((<usize>t) << 2)));
    }
  }
}
