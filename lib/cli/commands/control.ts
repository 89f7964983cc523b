import { catchUp, type AppContext } from '../context.ts';
import { parse } from '../args.ts';
import type { Out } from '../format.ts';
import { UsageError } from '../../util/errors.ts';
import { forceDegrade, recordApiFailure, resumeAll, startManualPause } from '../../policy/state.ts';
import { bumpGeneration } from '../../store/generation.ts';
import { clockText, waitText } from '../../policy/format.ts';
import { sendDetached } from '../../notify/send.ts';

function notify(app: AppContext, title: string, message: string, key: string): void {
  const now = app.now();
  const { store } = app;
  store.db
    .transaction(() => {
      store.events.insert({
        ts: now, session_id: null, hook: 'cli', tool: null, decision: 'notify', state: null,
        reason: `${title}: ${message}`, source: null, sleep_ms: 0, duration_ms: null, detail: JSON.stringify({ key }),
      });
    })
    .immediate();
  if (app.config.recovery.notification) sendDetached({ title, message, logFile: app.paths.logFile });
}

function record(app: AppContext, decision: string, reason: string): void {
  const { store } = app;
  store.db
    .transaction(() => {
      store.events.insert({
        ts: app.now(), session_id: null, hook: 'cli', tool: null, decision, state: null, reason,
        source: 'manual', sleep_ms: 0, duration_ms: null, detail: null,
      });
    })
    .immediate();
}

/** `ccguard pause [--minutes N]`: every session's tool calls are denied and prompts blocked until then. */
export async function runPause(app: AppContext, argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, { minutes: { type: 'string' } });
  const minutes = values.minutes === undefined ? app.config.recovery.pause.minutes : Number(values.minutes);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new UsageError(`--minutes must be a positive number (got "${values.minutes}")`);
  const now = app.now();
  const until = now + minutes * 60_000;
  app.store.db.transaction(() => startManualPause(app.store, now, until, 'paused by hand (ccguard pause)')).immediate();
  bumpGeneration(app.paths.stateDir);
  record(app, 'pause', `paused by hand for ${waitText(until - now)}`);
  notify(app, 'ccguard: paused', `All sessions paused until ${clockText(until)}.`, `pause:${until}`);
  out.write(`Paused every session until ${clockText(until)} (${waitText(until - now)}). Lift it with: ccguard resume\n`);
  return 0;
}

/** `ccguard resume`: lifts pauses and the backoff, and restarts session clocks. */
export async function runResume(app: AppContext, argv: string[], out: Out): Promise<number> {
  parse(argv, {});
  const lifted = resumeAll(app.store, app.now());
  bumpGeneration(app.paths.stateDir);
  record(app, 'resume', lifted.length > 0 ? `lifted ${lifted.join(', ')}` : 'nothing was in force');
  if (lifted.length > 0) notify(app, 'ccguard: resumed', 'Pauses lifted; sessions may go on.', `resume:${app.now()}`);
  out.write(lifted.length > 0 ? `Resumed: lifted ${lifted.join(', ')}.\n` : 'Nothing was paused; session clocks restarted.\n');
  return 0;
}

const ALERTS = ['token', 'time', 'cost', 'rate_limit'] as const;

/** `ccguard alert token|time|cost|rate_limit`: fires that alert and its recovery now. */
export async function runAlert(app: AppContext, argv: string[], out: Out): Promise<number> {
  const { positionals } = parse(argv, {}, true);
  const kind = positionals[0] as (typeof ALERTS)[number] | undefined;
  if (!kind || !ALERTS.includes(kind) || positionals.length > 1) {
    throw new UsageError(`alert takes one of ${ALERTS.join(', ')} (got "${positionals.join(' ')}")`);
  }
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
      store.db.transaction(() => startManualPause(store, now, until, 'time alert fired by hand (ccguard alert time)')).immediate();
      notify(app, 'ccguard: session pause (test)', `Paused until ${clockText(until)}.`, `alert:time:${now}`);
      out.write(`Session pause in force until ${clockText(until)}. Lift it with: ccguard resume\n`);
      break;
    }
    case 'cost': {
      const until = now + minutes * 60_000;
      store.db.transaction(() => forceDegrade(store, now, until)).immediate();
      notify(app, 'ccguard: cost threshold (test)', `${config.recovery.degradation.deny_tools.join(', ')} are off until ${clockText(until)}.`, `alert:cost:${now}`);
      out.write(`Graceful degradation in force until ${clockText(until)}: ${config.recovery.degradation.deny_tools.join(', ')} are denied. Lift it with: ccguard resume\n`);
      break;
    }
    case 'rate_limit': {
      const b = recordApiFailure(store, config, 'rate_limit', now);
      notify(app, 'ccguard: rate limited (test)', `Backing off until ${b ? clockText(b.until) : '-'}.`, `alert:rate:${now}`);
      out.write(`Backoff level ${b?.level ?? 0} in force until ${b ? clockText(b.until) : '-'} (${b ? waitText(b.until - now) : '-'}). Lift it with: ccguard resume\n`);
      break;
    }
    default: {
      const never: never = kind;
      throw new UsageError(`unknown alert ${String(never)}`);
    }
  }
  record(app, 'alert', `alert ${kind} fired by hand`);
  bumpGeneration(app.paths.stateDir);
  return 0;
}
