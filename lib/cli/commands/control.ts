import { catchUp, type AppContext } from '../../app/context.ts';
import { parseCommand } from '../args.ts';
import { SPECS } from '../spec.ts';
import type { Out } from '../format.ts';
import { UsageError } from '../../util/errors.ts';
import { forceDegrade, recordApiFailure, resumeAll, startManualPause } from '../../app/recovery.ts';
import { fmtAt, fmtDuration, fmtUsd } from '../../util/format.ts';
import { sendDetached } from '../../notify/send.ts';
import { usagePicture } from '../../usage/sources.ts';
import { usageHolds } from '../../app/holds.ts';
import { logFilePath } from '../../util/paths.ts';
import { ownCli } from '../../config/root.ts';

function notify(app: AppContext, title: string, message: string, key: string): void {
  const now = app.now();
  const { store } = app;
  store.write(() => {
    store.events.insert({ ts: now, hook: 'cli', decision: 'notify', reason: `${title}: ${message}`, detail: JSON.stringify({ key }) });
  });
  if (app.config.recovery.notification) sendDetached({ title, message, logFile: logFilePath(app.paths.stateDir, app.config.logging) });
}

function record(app: AppContext, decision: string, reason: string): void {
  const { store } = app;
  store.write(() => {
    store.events.insert({ ts: app.now(), hook: 'cli', decision, reason, source: 'manual' });
  });
}

/** `ccguard pause [--minutes N]`: every session's tool calls are denied and prompts blocked until then. */
export function runPause(app: AppContext, argv: string[], out: Out): Promise<number> {
  const { values } = parseCommand(SPECS.pause, argv);
  const minutes = values.minutes ?? app.config.recovery.pause.minutes;
  const now = app.now();
  const until = now + minutes * 60_000;
  // The pause voids every session's cached decisions as it commits.
  app.store.write(() => startManualPause(app.store, now, until, 'paused by hand (ccguard pause)'));
  record(app, 'pause', `paused by hand for ${fmtDuration(until - now, 'wait')}`);
  notify(app, 'ccguard: paused', `All sessions paused until ${fmtAt(until, now)}.`, `pause:${until}`);
  out.write(`Paused every session until ${fmtAt(until, now)} (${fmtDuration(until - now, 'wait')}). Lift it with: ${ownCli(app.env)} resume\n`);
  return Promise.resolve(0);
}

/**
 * `ccguard resume [--minutes N]`: lifts pauses, the backoff and forced degradation, and the holds the
 * usage figures put on tool calls (pacing, a used-up limit, a model-family limit) for the rest of
 * their window, or for N minutes; restarts session clocks. Says in words what it lifted.
 */
export async function runResume(app: AppContext, argv: string[], out: Out): Promise<number> {
  const minutes = parseCommand(SPECS.resume, argv).values.minutes ?? null;
  await catchUp(app);
  const now = app.now();
  const pic = usagePicture(app.store, app.config, now);
  const holds = usageHolds(pic.view, pic.modelHolds, app.config, now);
  const ends = holds.map((h) => h.until).filter((t): t is number => t !== null && t > now);
  const liftUntil = minutes !== null ? now + minutes * 60_000 : ends.length > 0 ? Math.max(...ends) : null;
  const lifted = resumeAll(app.store, now, holds.length > 0 || minutes !== null ? liftUntil : null);
  const said: string[] = [];
  if (lifted.pause) said.push(`the pause (${lifted.pause.reason}), which ran until ${fmtAt(lifted.pause.until, now)}`);
  if (lifted.sessionPauses.length > 0) said.push(`the time pause of session${lifted.sessionPauses.length > 1 ? 's' : ''} ${lifted.sessionPauses.map((s) => s.slice(0, 8)).join(', ')}`);
  if (lifted.backoff) said.push(`the rate-limit backoff (level ${lifted.backoff.level}), which ran until ${fmtAt(lifted.backoff.until, now)}`);
  if (lifted.forcedDegrade) said.push('the cost degradation fired by hand');
  if (lifted.holdsUntil !== null) {
    const what = holds.length > 0 ? holds.map((h) => h.what).join('; ') : 'any pacing or hold on a usage limit';
    said.push(`${what}, until ${fmtAt(lifted.holdsUntil, now)}${minutes !== null ? ` (${fmtDuration(lifted.holdsUntil - now, 'wait')})` : ' (the end of that window)'}; ccguard keeps warning`);
  }
  record(app, 'resume', said.length > 0 ? `lifted ${said.join('; ')}` : 'nothing was in force');
  if (said.length > 0) notify(app, 'ccguard: resumed', 'Holds lifted; sessions may go on.', `resume:${now}`);
  out.write(said.length > 0 ? `Resumed. Lifted:${said.map((x) => `\n  - ${x}`).join('')}\nSession clocks restarted.\n` : 'Nothing was holding tool calls back; session clocks restarted.\n');
  return 0;
}

/** `ccguard alert token|time|cost|rate_limit`: fires that alert and its recovery now. */
export async function runAlert(app: AppContext, argv: string[], out: Out): Promise<number> {
  const kind = parseCommand(SPECS.alert, argv).arg;
  await catchUp(app);
  const now = app.now();
  const { store, config } = app;
  const minutes = config.recovery.pause.minutes;
  switch (kind) {
    case 'token':
      notify(app, 'ccguard: token threshold (test)', `Alert fired by hand: ${Math.round(config.alerts.token_threshold * 100)}% of the 5-hour limit.`, `alert:token:${now}`);
      out.write('Sent the token-threshold notification. Token warnings only inform; nothing is blocked.\n');
      break;
    case 'time': {
      const until = now + minutes * 60_000;
      store.write(() => startManualPause(store, now, until, 'time alert fired by hand (ccguard alert time)'));
      notify(app, 'ccguard: session pause (test)', `Paused until ${fmtAt(until, now)}.`, `alert:time:${now}`);
      out.write(`Session pause in force until ${fmtAt(until, now)}. Lift it with: ${ownCli(app.env)} resume\n`);
      break;
    }
    case 'cost': {
      const until = now + minutes * 60_000;
      const tools = config.recovery.degradation.deny_tools.join(', ');
      // Fired by hand, whatever this block has cost: say what it does, not that a threshold was passed.
      const cost = usagePicture(store, config, now).view.costUsd;
      store.write(() => forceDegrade(store, now, until));
      notify(app, 'ccguard: cost alert fired by hand (test)', `${tools} are off until ${fmtAt(until, now)}.`, `alert:cost:${now}`);
      out.write(
        `Fired the cost alert by hand: ${tools} are denied until ${fmtAt(until, now)}, as they are once a 5-hour block costs ` +
          `${fmtUsd(config.alerts.cost_threshold)} (alerts.cost_threshold; this one has cost ${fmtUsd(cost)}). Lift it with: ${ownCli(app.env)} resume\n`,
      );
      break;
    }
    case 'rate_limit': {
      const b = recordApiFailure(store, config, 'rate_limit', now);
      notify(app, 'ccguard: rate limited (test)', `Backing off until ${b ? fmtAt(b.until, now) : '-'}.`, `alert:rate:${now}`);
      out.write(`Backoff level ${b?.level ?? 0} in force until ${b ? fmtAt(b.until, now) : '-'} (${b ? fmtDuration(b.until - now, 'wait') : '-'}). Lift it with: ${ownCli(app.env)} resume\n`);
      break;
    }
    default: {
      const never: never = kind;
      throw new UsageError(`unknown alert ${String(never)}`);
    }
  }
  record(app, 'alert', `alert ${kind} fired by hand`);
  return 0;
}
