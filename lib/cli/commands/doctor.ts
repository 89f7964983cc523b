import type { AppContext } from '../context.ts';
import { parse } from '../args.ts';
import { paint, type Out } from '../format.ts';
import {
  checkConfig,
  checkDatabase,
  checkHookLatency,
  checkImport,
  checkNotifier,
  checkSettings,
  checkStatusLine,
  checkTranscripts,
  type Check,
} from '../../doctor/checks.ts';
import { checkMonitor } from '../../doctor/monitor.ts';
import { ingestJournal } from '../../hook/journal.ts';

/** `ccguard doctor [--json] [--project-dir DIR]`: is ccguard installed, healthy and seeing data? */
export async function runDoctor(app: AppContext, argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' }, 'project-dir': { type: 'string' } });
  ingestJournal(app.paths.stateDir, app.store, app.now(), 0);
  const checks: Check[] = [
    ...checkSettings(app, values['project-dir'] ?? process.cwd()),
    checkDatabase(app),
    checkConfig(app),
    checkTranscripts(app),
    checkImport(app),
    ...checkHookLatency(app),
    checkStatusLine(app),
    await checkMonitor('claude-monitor', { ...(app.env as NodeJS.ProcessEnv) }),
    checkNotifier(app),
  ];
  const failed = checks.filter((c) => c.level === 'fail').length;
  if (values.json) {
    out.write(JSON.stringify({ ok: failed === 0, checks }, null, 2) + '\n');
  } else {
    for (const c of checks) {
      const mark = c.level === 'ok' ? paint(out, 'green', 'ok  ') : c.level === 'warn' ? paint(out, 'yellow', 'warn') : paint(out, 'red', 'FAIL');
      out.write(`${mark}  ${c.name.padEnd(22)} ${c.detail}\n`);
      if (c.fix && c.level !== 'ok') out.write(`      ${''.padEnd(22)} fix: ${c.fix}\n`);
    }
    const warned = checks.filter((c) => c.level === 'warn').length;
    out.write(`\n${failed} failed, ${warned} warnings, ${checks.length - failed - warned} ok\n`);
  }
  return failed > 0 ? 1 : 0;
}
