// AssemblyScript, compiled to WebAssembly by `npm run build:kernels` (add-lists.wasm.ts).
//
// The collaborative sums from the neighbour lists of the movies outside the model's head: for
// each source k < count, its list's entries j in [start[s], start[s + 1]) of s = sources[k] add
// likings[k] * scores[j] to out[slots[j]], in that order, as a loop of JavaScript would. A slot
// outside the head (>= headSize) whose state is 0 when its first entry comes is written to `found`
// in order of first arrival, and its state set to `mark`; the count found is returned. `start`,
// `slots`, `sources` and `found` are 32-bit integers, `scores`, `likings` and `out` doubles,
// `state` bytes: all byte offsets into the memory the host imports.

export function addLists(
  start: usize,
  slots: usize,
  scores: usize,
  sources: usize,
  likings: usize,
  count: i32,
  out: usize,
  state: usize,
  headSize: i32,
  mark: u8,
  found: usize,
): i32 {
  let n = 0;
  for (let k = 0; k < count; k++) {
    const s = <usize>load<i32>(sources + ((<usize>k) << 2));
    const liking = load<f64>(likings + ((<usize>k) << 3));
    const end = <usize>load<i32>(start + ((s + 1) << 2));
    for (let j = <usize>load<i32>(start + (s << 2)); j < end; j++) {
      const t = load<i32>(slots + (j << 2));
      if (t >= headSize && load<u8>(state + <usize>t) == 0) {
        store<u8>(state + <usize>t, mark);
        store<i32>(found + ((<usize>n) << 2), t);
        n++;
      }
      const o = out + ((<usize>t) << 3);
      store<f64>(o, load<f64>(o) + liking * load<f64>(scores + (j << 3)));
    }
  }
  return n;
}
