// claude-monitor's JSON snapshot (schema_version 1.x), as `--once --output json` prints it and
// `--write-state` keeps it in a file. Parsed leniently: unknown fields pass, a field of an unexpected
// type reads as missing; only the version and the generation time are required.
import { z } from 'zod';
import { CcguardError } from '../util/errors.ts';

export type MonitorConfidence = 'official' | 'local_estimate' | 'unknown';

export interface MonitorWindow {
  /** Percent used (may exceed 100 for a local estimate); null when the monitor has no figure. */
  usedPct: number | null;
  tokensUsed: number | null;
  tokenLimit: number | null;
  /** ms since the epoch. */
  resetsAt: number | null;
  confidence: MonitorConfidence;
}

export interface MonitorSnapshot {
  generatedAt: number;
  version: string | null;
  plan: string | null;
  confidence: MonitorConfidence;
  /** The monitor itself calls its data stale. */
  stale: boolean;
  statusCode: number | null;
  statusLabel: string | null;
  fiveHour: MonitorWindow | null;
  sevenDay: MonitorWindow | null;
  /** Input + output tokens per minute, as the monitor measures it. */
  burnPerMinute: number | null;
}

const num = z.number().nullable().optional().catch(null);
const str = z.string().nullable().optional().catch(null);

const WindowSchema = z.looseObject({
  used_percentage: num,
  tokens_used: num,
  token_limit: num,
  resets_at: str,
  resets_at_epoch: num,
  confidence: str,
});

export const SnapshotSchema = z.looseObject({
  schema_version: z.string().regex(/^1(\.\d+)*$/, { error: 'is not 1.x' }),
  generated_at: z.string().refine((s) => Number.isFinite(Date.parse(s)), { error: 'is not a date' }),
  tool: z.looseObject({ name: str, version: str }).nullable().optional().catch(null),
  confidence: str,
  stale: z.boolean().nullable().optional().catch(null),
  plan: str,
  limits: z
    .looseObject({
      five_hour: WindowSchema.nullable().optional().catch(null),
      seven_day: WindowSchema.nullable().optional().catch(null),
    })
    .nullable()
    .optional()
    .catch(null),
  local: z.looseObject({ burn_rate_tokens_per_minute: num }).nullable().optional().catch(null),
  status: z.looseObject({ code: num, label: str }).nullable().optional().catch(null),
});

/** Why a text is not a snapshot, in one line. */
export class SnapshotError extends CcguardError {
  override readonly name = 'SnapshotError';
}

function confidenceOf(v: string | null | undefined): MonitorConfidence {
  return v === 'official' || v === 'local_estimate' ? v : 'unknown';
}

function windowOf(w: z.infer<typeof WindowSchema> | null | undefined, top: MonitorConfidence): MonitorWindow | null {
  if (!w) return null;
  const parsed = w.resets_at ? Date.parse(w.resets_at) : NaN;
  const resetsAt = Number.isFinite(parsed)
    ? parsed
    : typeof w.resets_at_epoch === 'number' && w.resets_at_epoch > 0
      ? w.resets_at_epoch * 1000
      : null;
  const pct = typeof w.used_percentage === 'number' && w.used_percentage >= 0 ? w.used_percentage : null;
  return {
    usedPct: pct,
    tokensUsed: typeof w.tokens_used === 'number' && w.tokens_used >= 0 ? w.tokens_used : null,
    tokenLimit: typeof w.token_limit === 'number' && w.token_limit > 0 ? w.token_limit : null,
    resetsAt,
    confidence: w.confidence ? confidenceOf(w.confidence) : top,
  };
}

/** The snapshot in `text`, or a SnapshotError saying what is wrong with it. */
export function parseSnapshot(text: string): MonitorSnapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const head = text.trim().slice(0, 40);
    throw new SnapshotError(`not JSON (${text.length} bytes${head ? `, starts ${JSON.stringify(head)}` : ''})`);
  }
  const r = SnapshotSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    const key = i?.path.map(String).join('.') || '(top level)';
    throw new SnapshotError(
      `not a claude-monitor snapshot: ${key} ${i?.code === 'invalid_type' ? 'is missing or not the right type' : (i?.message ?? 'is invalid')}`,
    );
  }
  const d = r.data;
  const top = confidenceOf(d.confidence);
  return {
    generatedAt: Date.parse(d.generated_at),
    version: d.tool?.version ?? null,
    plan: d.plan ?? null,
    confidence: top,
    stale: d.stale === true,
    statusCode: typeof d.status?.code === 'number' ? d.status.code : null,
    statusLabel: d.status?.label ?? null,
    fiveHour: windowOf(d.limits?.five_hour, top),
    sevenDay: windowOf(d.limits?.seven_day, top),
    burnPerMinute:
      typeof d.local?.burn_rate_tokens_per_minute === 'number' ? d.local.burn_rate_tokens_per_minute : null,
  };
}
