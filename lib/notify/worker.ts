// Runs detached from the hook: delivers one desktop notification and exits. Failures go to the log.
import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { execa } from 'execa';
import { iso } from '../util/time.ts';
import { resolvePaths } from '../util/paths.ts';
import { loadConfigCached } from '../config/cached.ts';
import { postWebhook, type WebhookTarget } from './webhook.ts';

const Notice = z.object({ title: z.string(), message: z.string(), logFile: z.string() });

function log(file: string, msg: string): void {
  try {
    appendFileSync(file, JSON.stringify({ ts: iso(Date.now()), level: 'warn', msg }) + '\n', { mode: 0o600 });
  } catch {
    // nowhere left to say it
  }
}

async function deliver(title: string, message: string): Promise<void> {
  if (process.platform === 'linux') {
    // node-notifier runs notify-send through a shell (child_process.exec); ccguard runs nothing through
    // a shell, so on Linux it calls notify-send itself with an argument array.
    await execa('notify-send', ['--app-name=ccguard', title, message], { timeout: 10_000, stdin: 'ignore' });
    return;
  }
  // macOS and Windows: node-notifier's bundled terminal-notifier / SnoreToast, run with execFile.
  const { default: notifier } = await import('node-notifier');
  await new Promise<void>((resolve, reject) => {
    notifier.notify({ title, message, wait: false }, (err) => (err ? reject(err) : resolve()));
  });
}

const parsed = Notice.safeParse(
  (() => {
    try {
      return JSON.parse(process.argv[2] ?? '') as unknown;
    } catch {
      return null;
    }
  })(),
);
/** The configured webhook, read here rather than in the hook: the hook's time is not spent on it. */
async function webhookTarget(): Promise<WebhookTarget | null> {
  const paths = resolvePaths(process.env);
  const { config } = await loadConfigCached(paths.userConfigFile, paths.stateDir);
  const w = config.notifications.webhook;
  return w.url ? { url: w.url, format: w.format, timeoutMs: w.timeout_seconds * 1000 } : null;
}

const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

if (parsed.success) {
  const n = parsed.data;
  const timer = setTimeout(() => {
    log(n.logFile, 'notifier did not finish within 12 s');
    process.exit(0);
  }, 12_000);
  const desktop = deliver(n.title, n.message).catch((err: unknown) =>
    log(n.logFile, `desktop notification not delivered: ${firstLine(err)}`),
  );
  const hook = webhookTarget()
    .then((t) => (t ? postWebhook(n, t) : undefined))
    .catch((err: unknown) => log(n.logFile, `webhook notification not delivered: ${firstLine(err)}`));
  void Promise.all([desktop, hook]).finally(() => {
    clearTimeout(timer);
    process.exit(0);
  });
}
