// AssemblyScript, compiled to WebAssembly by `npm run build:kernels` (list-hits.wasm.ts).
//
// Where the neighbour lists of some movies reach a few chosen slots: for each source k < count, its
// list's entries j in [start[s], start[s + 1]) of s = sources[k], in order, whose slot has a place
// i = place[slots[j]] >= 0 are written as hit n: hitSources[n] = k, hitPlaces[n] = i and
// hitValues[n] = likings[k] * scores[j]. Returns the number of hits, which the caller bounds by
// room for one hit per place and source. `start`, `slots`, `sources`, `place`, `hitSources` and
// `hitPlaces` are 32-bit integers, `scores`, `likings` and `hitValues` doubles: all byte offsets into
// the memory the host imports.

export function listHits(
  start: usize,
  slots: usize,
  scores: usize,
  sources: usize,
  likings: usize,
  count: i32,
  place: usize,
  hitSources: usize,
  hitPlaces: usize,
  hitValues: usize,
): i32 {
  let n = 0;
  for (let k = 0; k < count; k++) {
    const s = <usize>load<i32>(sources + ((<usize>k) << 2));
    const liking = load<f64>(likings + ((<usize>k) << 3));
    const end = <usize>load<i32>(start + ((s + 1) << 2));
    for (let j = <usize>load<i32>(start + (s << 2)); j < end; j++) {
      const i = load<i32>(place + ((<usize>load<i32>(slots + (j << 2))) << 2));
      if (i >= 0) {
        store<i32>(hitSources + ((<usize>n) << 2), k);
        store<i32>(hitPlaces + ((<usize>n) << 2), i);
        store<f64>(hitValues + ((<usize>n) << 3), liking * load<f64>(scores + (j << 3)));
        n++;
      }
    }
  }
  return n;
}
