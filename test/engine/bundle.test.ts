import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cachedBundlePath } from '../../src/app/worker/bundle';

describe('the workflow bundle', () => {
  it('preloads the shared libraries once per worker thread instead of once per workflow', () => {
    const code = readFileSync(cachedBundlePath(), 'utf8');
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
    // The bundler drops a preload whose exports look unused (it then reads `0;`): each workflow
    // would evaluate zod again and keep its own copy.
    expect(preload).toContain('./workflows/preload.ts');
    const module = code.slice(code.indexOf('/***/ "./workflows/preload.ts"'));
    expect(module.slice(0, module.indexOf('/***/ },'))).toContain('__webpack_require__(/*! zod */');
  });
});
