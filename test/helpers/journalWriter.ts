// Writes fast-path journal entries as a hook's fast path does: argv = stateDir, count, tag.
import { appendJournal } from '../../lib/hook/journal.ts';

const [stateDir, count, tag] = process.argv.slice(2);
for (let i = 0; i < Number(count); i++) {
  appendJournal(stateDir!, { ts: Date.now(), session_id: `${tag}`, hook: 'PreToolUse', tool: `t${i}`, duration_ms: 1 });
}
