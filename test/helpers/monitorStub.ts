import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the stand-in does on its next runs. */
export interface StubMode {
  mode: 'ok' | 'near' | 'hit' | 'none' | 'nodata' | 'garbage' | 'slow' | 'held' | 'v3' | 'fail';
  /** five_hour used_percentage in the snapshot (ok, near, hit, slow, held). */
  pct?: number;
  tokensUsed?: number | null;
  tokenLimit?: number | null;
  /** seven_day used_percentage, when the snapshot should carry one. */
  weeklyPct?: number | null;
  /** How long `slow` sleeps before answering. */
  sleepMs?: number;
  /** `held`: answers only once this file exists (a test releases it when it has seen what it needs). */
  releaseFile?: string;
  plan?: string;
}

/**
 * A stand-in `claude-monitor` (v4's documented JSON output, or v3's refusal of `--output`) written
 * into `bin`. It appends one line per run to `runs.log` beside it (its arguments), and reads what to
 * do from `mode.json`, so a test changes its behaviour between runs without touching PATH.
 */
export function installMonitorStub(bin: string) {
  const runs = join(bin, 'runs.log');
  const modeFile = join(bin, 'mode.json');
  const script = `#!${process.execPath}
const fs = require('node:fs');
fs.appendFileSync(${JSON.stringify(runs)}, JSON.stringify(process.argv.slice(2)) + '\\n');
let m = { mode: 'ok' };
try { m = JSON.parse(fs.readFileSync(${JSON.stringify(modeFile)}, 'utf8')); } catch {}
const args = process.argv.slice(2);
if (m.mode === 'v3') {
  if (args.includes('--output') || args.includes('--once')) {
    process.stderr.write('usage: claude-monitor [-h] [--plan {pro,max5,max20,custom}] [--timezone TIMEZONE]\\nclaude-monitor: error: unrecognized arguments: --once --output json --view realtime\\n');
    process.exit(2);
  }
  process.stdout.write('Claude Code Usage Monitor v3.1.0\\n');
  process.exit(0);
}
const now = Date.now();
const reset = new Date(Math.ceil(now / 3600000) * 3600000 + 2 * 3600000);
const plan = m.plan || (args.includes('--plan') ? args[args.indexOf('--plan') + 1] : 'custom');
const win = (pct, used, limit, r) => ({ used_percentage: pct, tokens_used: used, token_limit: limit, resets_at: r ? r.toISOString() : null,
  resets_at_epoch: r ? Math.floor(r.getTime() / 1000) : null, source: { kind: 'local_transcripts' }, confidence: 'local_estimate' });
const snap = (code, label, pct) => ({
  schema_version: '1.0', generated_at: new Date(now).toISOString(), tool: { name: 'claude-monitor', version: '4.0.2' },
  confidence: 'local_estimate', stale: false, plan, plan_info: { name: plan, token_limit: m.tokenLimit ?? 88000 },
  limits: {
    five_hour: pct === null ? win(null, null, null, null) : win(pct, m.tokensUsed === undefined ? Math.round((pct / 100) * 88000) : m.tokensUsed, m.tokenLimit === undefined ? 88000 : m.tokenLimit, reset),
    seven_day: m.weeklyPct == null ? win(null, null, null, null) : win(m.weeklyPct, null, null, new Date(now + 3 * 86400000)),
  },
  local: { is_active: pct !== null, session_start: null, session_end: null,
    tokens: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, total_tokens: 0 },
    cost_usd: 1.23, sent_messages: 12, burn_rate_tokens_per_minute: null, burn_rate_cost_per_hour: 2.1, model_distribution: [] },
  pace: { label: 'on track', used_percentage: pct, elapsed_percentage: 30.0 },
  forecast: { predicted_tokens_exhausted_at: null, tokens_remaining: 1000, minutes_remaining: 100 },
  status: { code, label },
  extra_field_from_a_newer_version: { anything: [1, 2, 3] },
});
const out = (o, code) => { process.stdout.write(JSON.stringify(o) + '\\n'); process.exit(code); };
switch (m.mode) {
  case 'ok': out(snap(0, 'ok', m.pct ?? 41.2), 0); break;
  case 'near': out(snap(10, 'near_limit', m.pct ?? 92), 10); break;
  case 'hit': out(snap(11, 'limit_hit', m.pct ?? 101.5), 11); break;
  case 'none': out(snap(20, 'no_active_session', null), 20); break;
  case 'nodata': process.stderr.write('no usage data found\\n'); process.exit(30); break;
  case 'garbage': process.stdout.write('<html>this is not JSON</html>\\n'); process.exit(0); break;
  case 'fail': process.stderr.write('Traceback (most recent call last): boom\\n'); process.exit(1); break;
  case 'slow': setTimeout(() => out(snap(0, 'ok', m.pct ?? 41.2), 0), m.sleepMs ?? 5000); break;
  case 'held': setInterval(() => { if (fs.existsSync(m.releaseFile)) out(snap(0, 'ok', m.pct ?? 41.2), 0); }, 50); break;
  default: process.exit(3);
}
`;
  writeFileSync(join(bin, 'claude-monitor'), script);
  chmodSync(join(bin, 'claude-monitor'), 0o755);
  return {
    runs,
    setMode(m: StubMode): void {
      writeFileSync(modeFile, JSON.stringify(m));
    },
    /** How many times the stand-in has been started, and with what arguments. */
    calls(): string[][] {
      return existsSync(runs)
        ? readFileSync(runs, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as string[])
        : [];
    },
  };
}

/** A documented v4 snapshot, for parsing tests and state files. */
export function snapshotJson(
  o: { generatedAt?: number; pct?: number | null; plan?: string; weeklyPct?: number | null; stale?: boolean } = {},
): Record<string, unknown> {
  const now = o.generatedAt ?? Date.now();
  const reset = now + 2 * 3_600_000;
  const pct = o.pct === undefined ? 41.2 : o.pct;
  return {
    schema_version: '1.0',
    generated_at: new Date(now).toISOString(),
    tool: { name: 'claude-monitor', version: '4.1.0' },
    confidence: 'local_estimate',
    stale: o.stale ?? false,
    plan: o.plan ?? 'max5',
    plan_info: { name: o.plan ?? 'max5' },
    limits: {
      five_hour: {
        used_percentage: pct,
        tokens_used: pct === null ? null : Math.round((pct / 100) * 88000),
        token_limit: pct === null ? null : 88000,
        resets_at: pct === null ? null : new Date(reset).toISOString(),
        resets_at_epoch: pct === null ? null : Math.floor(reset / 1000),
        source: { kind: 'local' },
        confidence: 'local_estimate',
      },
      seven_day: {
        used_percentage: o.weeklyPct ?? null,
        tokens_used: null,
        token_limit: null,
        resets_at: null,
        resets_at_epoch: null,
      },
    },
    local: { is_active: pct !== null, burn_rate_tokens_per_minute: 310.5, cost_usd: 1.23 },
    pace: { label: 'on track' },
    forecast: { tokens_remaining: 51750 },
    status: { code: pct === null ? 20 : 0, label: pct === null ? 'no_active_session' : 'ok' },
  };
}
