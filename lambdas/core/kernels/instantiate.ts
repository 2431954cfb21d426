/** The kernels' WebAssembly modules, each compiled once per process, and instances over a memory of the host's. */
const compiled = new Map<string, WebAssembly.Module>();

export function instantiate(base64: string, memory: WebAssembly.Memory): Record<string, unknown> {
  let module = compiled.get(base64);
  if (!module) compiled.set(base64, (module = new WebAssembly.Module(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)))));
  return new WebAssembly.Instance(module, { env: { memory } }).exports;
}

/** A memory of at least `bytes`. */
export function memoryOf(bytes: number): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65_536)) });
}

/** `offset` rounded up to a multiple of 8, where a view of doubles may start. */
export function aligned8(offset: number): number {
  return Math.ceil(offset / 8) * 8;
}
