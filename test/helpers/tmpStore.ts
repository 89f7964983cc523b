import type { TestContext } from 'node:test';
import { join } from 'node:path';
import { openStore, type Store } from '../../lib/store/store.ts';
import { tmpHome } from './tmp.ts';

/** A fresh state database in a temporary folder, closed and removed when the test ends. */
export function tmpStore(t: TestContext): Store {
  const h = tmpHome('ccguard-store-');
  const store = openStore(join(h.home, 'state.db'));
  t.after(() => {
    store.close();
    h.cleanup();
  });
  return store;
}
