// Claude Code runs this on every Stop event. The work lives in lib/; this only names the event.
import { hookMain } from '../lib/hook/main.ts';

await hookMain('Stop');
