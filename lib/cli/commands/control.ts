import { catchUp, type AppContext } from '../../app/context.ts';
import { parseCommand } from '../args.ts';
import { SPECS } from '../spec.ts';
import type { Out } from '../format.ts';
import { UsageError } from '../../util/errors.ts';
import { forceDegrade, recordApiFailure, resumeAccount, startManualPause } from '../../app/recovery.ts';
import { accountsFor } from '../../app/accounts.ts';
import { accountLabel } from '../../util/account.ts';
import type { Lifts } from '../../policy/types.ts';
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
    store.events.insert({
      ts: now,
      hook: 'cli',
      decision: 'notify',
      reason: `${title}: ${message}`,
      detail: JSON.stringify({ key }),
    });
  });
  if (app.config.recovery.notification)
    sendDetached({ title, message, logFile: logFilePath(app.paths.stateDir, app.config.logging) });
}

function record(app: AppContext, decision: string, reason: string): void {
  const { store } = app;
  store.write(() => {
    store.events.insert({ ts: app.now(), hook: 'cli', decision, reason, source: 'manual' });
  });
}

/** The words for the accounts a command acted on, when it is not only this environment's own. */
function whose(app: AppContext, accounts: readonly string[]): string {
  return accounts.length === 1 && accounts[0] === app.account ? '' : ` of ${accounts.map(accountLabel).join(', ')}`;
}

/** `ccguard pause [--minutes N] [--account DIR|all]`: the account's sessions' tool calls are denied and prompts blocked until then. */
export function runPause(app: AppContext, argv: string[], out: Out): Promise<number> {
  const { values } = parseCommand(SPECS.pause, argv);
  const minutes = values.minutes ?? app.config.recovery.pause.minutes;
  const now = app.now();
  const until = now + minutes * 60_000;
  const accounts = accountsFor(app.store, app.env, values.account, now);
  // The pause voids every session's cached decisions as it commits.
  app.store.write(() => {
    for (const a of accounts) startManualPause(app.store, a, now, until, 'paused by hand (ccguard pause)');
  });
  const of = whose(app, accounts);
  record(app, 'pause', `paused by hand for ${fmtDuration(until - now, 'wait')}${of}`);
  notify(app, 'ccguard: paused', `Sessions${of} paused until ${fmtAt(until, now)}.`, `pause:${until}`);
  out.write(
    `Paused every session${of} until ${fmtAt(until, now)} (${fmtDuration(until - now, 'wait')}). Lift it with: ${ownCli(app.env)} resume${values.account ? ` --account ${values.account}` : ''}\n`,
  );
  return Promise.resolve(0);
}

/**
 * `ccguard resume [--minutes N] [--account DIR|all]`: for the account, lifts pauses, the backoff and
 * forced degradation, and exactly the holds the usage figures put on tool calls now (pacing, a
 * used-up limit, a model-family limit), each for the rest of its own window, or for N minutes;
 * restarts session clocks. Says in words what it lifted. A hold that comes later is not lifted.
 */
export async function runResume(app: AppContext, argv: string[], out: Out): Promise<number> {
  const { values } = parseCommand(SPECS.resume, argv);
  const minutes = values.minutes ?? null;
  await catchUp(app);
  const now = app.now();
  const accounts = accountsFor(app.store, app.env, values.account, now);
  const said: string[] = [];
  for (const account of accounts) {
    const pic = usagePicture(app.store, app.config, account, now);
    const holds = usageHolds(pic.view, pic.modelHolds, app.config, now);
    const lifts: Lifts = {};
    for (const h of holds) {
      const until = minutes !== null ? now + minutes * 60_000 : h.until;
      if (until !== null && until > now) lifts[h.scope] = Math.max(lifts[h.scope] ?? 0, until);
    }
    const lifted = resumeAccount(app.store, account, now, lifts);
    const of = accounts.length > 1 || account !== app.account ? ` of ${accountLabel(account)}` : '';
    if (lifted.pause)
      said.push(`the pause${of} (${lifted.pause.reason}), which ran until ${fmtAt(lifted.pause.until, now)}`);
    if (lifted.sessionPauses.length > 0)
      said.push(
        `the time pause of session${lifted.sessionPauses.length > 1 ? 's' : ''} ${lifted.sessionPauses.map((s) => s.slice(0, 8)).join(', ')}`,
      );
    if (lifted.backoff)
      said.push(
        `the rate-limit backoff${of} (level ${lifted.backoff.level}), which ran until ${fmtAt(lifted.backoff.until, now)}`,
      );
    if (lifted.forcedDegrade) said.push('the cost degradation fired by hand');
    for (const h of holds) {
      const until = lifted.holds[h.scope];
      if (until === undefined) continue;
      said.push(
        `${h.what}${of}, until ${fmtAt(until, now)}${minutes !== null ? ` (${fmtDuration(until - now, 'wait')})` : ' (the end of that window)'}; ccguard keeps warning`,
      );
    }
  }
  record(app, 'resume', said.length > 0 ? `lifted ${said.join('; ')}` : 'nothing was in force');
  if (said.length > 0) notify(app, 'ccguard: resumed', 'Holds lifted; sessions may go on.', `resume:${now}`);
  out.write(
    said.length > 0
      ? `Resumed. Lifted:${said.map((x) => `\n  - ${x}`).join('')}\nSession clocks restarted.\n`
      : 'Nothing was holding tool calls back; session clocks restarted.\n',
  );
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
      notify(
        app,
        'ccguard: token threshold (test)',
        `Alert fired by hand: ${Math.round(config.alerts.token_threshold * 100)}% of the 5-hour limit.`,
        `alert:token:${now}`,
      );
      out.write('Sent the token-threshold notification. Token warnings only inform; nothing is blocked.\n');
      break;
    case 'time': {
      const until = now + minutes * 60_000;
      store.write(() =>
        startManualPause(store, app.account, now, until, 'time alert fired by hand (ccguard alert time)'),
      );
      notify(app, 'ccguard: session pause (test)', `Paused until ${fmtAt(until, now)}.`, `alert:time:${now}`);
      out.write(`Session pause in force until ${fmtAt(until, now)}. Lift it with: ${ownCli(app.env)} resume\n`);
      break;
    }
    case 'cost': {
      const until = now + minutes * 60_000;
      const tools = config.recovery.degradation.deny_tools.join(', ');
      // Fired by hand, whatever this block has cost: say what it does, not that a threshold was passed.
      const cost = usagePicture(store, config, app.account, now).view.costUsd;
      store.write(() => forceDegrade(store, now, until));
      notify(
        app,
        'ccguard: cost alert fired by hand (test)',
        `${tools} are off until ${fmtAt(until, now)}.`,
        `alert:cost:${now}`,
      );
      out.write(
        `Fired the cost alert by hand: ${tools} are denied until ${fmtAt(until, now)}, as they are once a 5-hour block costs ` +
          `${fmtUsd(config.alerts.cost_threshold)} (alerts.cost_threshold; this one has cost ${fmtUsd(cost)}). Lift it with: ${ownCli(app.env)} resume\n`,
      );
      break;
    }
    case 'rate_limit': {
      const b = recordApiFailure(store, config, app.account, 'rate_limit', now);
      notify(
        app,
        'ccguard: rate limited (test)',
        `Backing off until ${b ? fmtAt(b.until, now) : '-'}.`,
        `alert:rate:${now}`,
      );
      out.write(
        `Backoff level ${b?.level ?? 0} in force until ${b ? fmtAt(b.until, now) : '-'} (${b ? fmtDuration(b.until - now, 'wait') : '-'}). Lift it with: ${ownCli(app.env)} resume\n`,
      );
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
