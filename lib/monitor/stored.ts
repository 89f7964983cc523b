// Reads back the snapshot ccguard itself stored after validating it (lib/monitor/record.ts): hand
// checks only, so the hooks' full path and the status line never load zod for it.
import type { MonitorConfidence, MonitorSnapshot, MonitorWindow } from './snapshot.ts';
import { isObj } from '../util/guards.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (isObj(v) ? v : null);
const numOrNull = (v: unknown): number | null | undefined =>
  v === null ? null : typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const strOrNull = (v: unknown): string | null | undefined =>
  v === null ? null : typeof v === 'string' ? v : undefined;
const conf = (v: unknown): MonitorConfidence | undefined =>
  v === 'official' || v === 'local_estimate' || v === 'unknown' ? v : undefined;

function windowOf(v: unknown): MonitorWindow | null | undefined {
  if (v === null) return null;
  const w = obj(v);
  if (!w) return undefined;
  const usedPct = numOrNull(w.usedPct);
  const tokensUsed = numOrNull(w.tokensUsed);
  const tokenLimit = numOrNull(w.tokenLimit);
  const resetsAt = numOrNull(w.resetsAt);
  const confidence = conf(w.confidence);
  if (
    usedPct === undefined ||
    tokensUsed === undefined ||
    tokenLimit === undefined ||
    resetsAt === undefined ||
    !confidence
  )
    return undefined;
  return { usedPct, tokensUsed, tokenLimit, resetsAt, confidence };
}

/** The stored snapshot, or null when the text is not one (damaged, or from another version). */
export function storedSnapshot(text: string): MonitorSnapshot | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const d = obj(raw);
  if (!d || typeof d.generatedAt !== 'number' || !Number.isFinite(d.generatedAt)) return null;
  const version = strOrNull(d.version);
  const plan = strOrNull(d.plan);
  const confidence = conf(d.confidence);
  const statusCode = numOrNull(d.statusCode);
  const statusLabel = strOrNull(d.statusLabel);
  const fiveHour = windowOf(d.fiveHour);
  const sevenDay = windowOf(d.sevenDay);
  const burnPerMinute = numOrNull(d.burnPerMinute);
  if (
    version === undefined ||
    plan === undefined ||
    !confidence ||
    typeof d.stale !== 'boolean' ||
    statusCode === undefined ||
    statusLabel === undefined ||
    fiveHour === undefined ||
    sevenDay === undefined ||
    burnPerMinute === undefined
  ) {
    return null;
  }
  return {
    generatedAt: d.generatedAt,
    version,
    plan,
    confidence,
    stale: d.stale,
    statusCode,
    statusLabel,
    fiveHour,
    sevenDay,
    burnPerMinute,
  };
}
