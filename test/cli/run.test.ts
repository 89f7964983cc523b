import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ccguard } from '../helpers/cli.ts';
import { tmpHome } from '../helpers/tmp.ts';

test('an unknown command, even one named like an object property, is a usage error (exit 2)', (t) => {
  const h = tmpHome(t);
  for (const name of ['frobnicate', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    const r = ccguard([name], { HOME: h.home });
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.equal(r.stderr, `ccguard: unknown command "${name}" (try: ccguard help)\n`);
  }
});
