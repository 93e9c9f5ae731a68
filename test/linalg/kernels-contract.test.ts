import { afterEach, expect, test } from 'vitest';
import { gemmBackend, gemmRuntime, setGemmBackend } from '../../src/linalg/kernels/gemm.js';
import { withWorkspace } from '../../src/linalg/kernels/workspace.js';

const initial = gemmBackend();
afterEach(() => {
  setGemmBackend(initial);
});

test('a workspace lives in the memory of the backend in use: the WebAssembly runtime when there is one, else JavaScript', () => {
  // the eigensolver's products then run on the same kernels as the GEMMs the backend was chosen for
  const rt = gemmRuntime();
  withWorkspace((ws) => {
    expect(ws.runtime).toBe(rt);
    if (rt) expect(ws.heap().buffer).toBe(rt.memory.buffer);
  });
  setGemmBackend('js');
  withWorkspace((ws) => {
    expect(ws.runtime).toBeNull();
  });
});
