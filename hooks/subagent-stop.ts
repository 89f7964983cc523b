// Claude Code runs this on every SubagentStop event. The work lives in lib/; this only names the event.
import { hookEntry } from '../lib/hook/entry.ts';

void hookEntry('SubagentStop');
