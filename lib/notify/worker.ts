// Runs detached from the hook: delivers one desktop notification and exits. Failures go to the log.
import notifier from 'node-notifier';
import { z } from 'zod';
import { appendFileSync } from 'node:fs';

const Notice = z.object({ title: z.string(), message: z.string(), logFile: z.string() });

function log(file: string, msg: string): void {
  try {
    appendFileSync(file, JSON.stringify({ ts: new Date().toISOString(), level: 'warn', msg }) + '\n', { mode: 0o600 });
  } catch {
    // nowhere left to say it
  }
}

const parsed = Notice.safeParse((() => {
  try {
    return JSON.parse(process.argv[2] ?? '');
  } catch {
    return null;
  }
})());
if (parsed.success) {
  const n = parsed.data;
  const timer = setTimeout(() => {
    log(n.logFile, 'desktop notifier did not answer within 10 s');
    process.exit(0);
  }, 10_000);
  notifier.notify({ title: n.title, message: n.message, wait: false }, (err) => {
    if (err) log(n.logFile, `desktop notification not delivered: ${String(err.message ?? err).split('\n')[0]}`);
    clearTimeout(timer);
    process.exit(0);
  });
}
