// The detached usage-endpoint refresh a hook starts (dist/lib/usage/usageApiRefresh.js <lock owner>):
// reads Claude Code's token, asks the endpoint once, stores the readings or the failure, and releases
// the lock (lib/store/detachedRefresh.ts).
import { runDetachedRefresh } from '../store/detachedRefresh.ts';
import { recordRefreshError, refreshUsageApi } from './usageApi.ts';
import { LOCK_MS } from './usageApiTrigger.ts';
import { accountOf } from '../util/account.ts';

const owner = process.argv[2] ?? '';
await runDetachedRefresh({
  failed: 'usage endpoint refresh failed',
  // Whatever hangs (a Keychain prompt, a stalled answer), this process is gone before its lock expires.
  exitAfterMs: LOCK_MS,
  run: async (store, config, log) => {
    await refreshUsageApi(store, config, process.env, log);
  },
  recordFailure: (store, e) => recordRefreshError(store, process.env, Date.now(), e),
  release: (store) => store.usageApiOf(accountOf(process.env).key).releaseRefresh(owner),
});
process.exit(0);
