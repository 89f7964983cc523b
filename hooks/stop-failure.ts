// Claude Code runs this on every StopFailure event. The work lives in lib/; this only names the event.
import { hookEntry } from '../lib/hook/entry.ts';

void hookEntry('StopFailure');
