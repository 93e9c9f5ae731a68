import { describe, expect, test } from 'vitest';
import { algebriteRun, restartBackend } from '../../src/symbolic/backend.js';
import { simplify } from '../../src/symbolic/calculus.js';

describe('backend state between calls', () => {
  test('a binding left by an earlier command cannot leak into an answer: the backend is restarted', () => {
    restartBackend();
    // x + y goes to the backend as vv0 + vv1; bind vv1 behind the facade's back
    // (an assignment prints nothing, which the facade reports as a failure; the binding is made all the same)
    expect(() => algebriteRun('vv1 = vv7')).toThrow(/computer algebra failed/);
    expect(algebriteRun('vv0 + vv1')).toMatch(/vv7/);
    const out = simplify('x + y');
    expect(out.replace(/\s/g, '')).toMatch(/^(x\+y|y\+x)$/);
    // the restart cleared the binding
    expect(algebriteRun('vv0 + vv1')).not.toMatch(/vv7/);
  });
});
