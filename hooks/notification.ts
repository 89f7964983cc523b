// Claude Code runs this on every Notification event (its own automatic continue after a usage limit
// resets among them). The work lives in lib/; this only names the event.
import { hookEntry } from '../lib/hook/entry.ts';

void hookEntry('Notification');
