import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileKernel, kernelModule, kernelPath, KERNELS } from '../../../scripts/build-kernels';

describe('WebAssembly kernels', () => {
  it.each(KERNELS.map((k) => [k.source, k] as const))('%s: the committed binary is what its source compiles to (npm run build:kernels)', async (_, kernel) => {
    const binary = await compileKernel(kernelPath(kernel.source));
    expect(readFileSync(kernelPath(kernel.module), 'utf8')).toBe(kernelModule(kernel, binary));
  }, 60_000);
});
