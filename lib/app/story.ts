// One story about one moment. The hook, `status`, `status --json`, the status line and the report
// all read the stand-in figure and the hold from usageStory: the same usage picture (lib/usage/
// sources.ts), the same verdict (lib/policy/evaluate.ts, through recoveryNow) and, from that verdict,
// the same window, so that none of them names a share, source or reset another contradicts.
import type { Store } from '../store/store.ts';
import type { Config } from '../config/schema.ts';
import type { UsageConfidence, UsageView, UsageWindow } from '../usage/types.ts';
import { usagePicture, type UsagePicture, type UsageViewOptions } from '../usage/sources.ts';
import { recoveryNow, type RecoveryNow } from './recoveryNow.ts';
import type { Env } from '../util/paths.ts';
import { iso } from '../util/time.ts';

/** The figure a view names as "the" usage now. */
export interface StoryFigure {
  window: UsageWindow;
  /** 0..1 (Claude's own figure can pass 1); null when no source knows it. */
  share: number | null;
  source: string;
  confidence: UsageConfidence | null;
  /** The window's reset, when a source named one. */
  resetAt: number | null;
}

/** The figure as `status --json` and the report print it (ISO reset). */
export interface FigureJson {
  window: UsageWindow;
  used_share: number | null;
  source: string;
  confidence: UsageConfidence | null;
  reset_at: string | null;
}

export function figureJson(f: StoryFigure): FigureJson {
  return {
    window: f.window,
    used_share: f.share,
    source: f.source,
    confidence: f.confidence,
    reset_at: f.resetAt === null ? null : iso(f.resetAt),
  };
}

export interface UsageStory {
  picture: UsagePicture;
  recovery: RecoveryNow;
  figure: StoryFigure;
}

/**
 * The window's figure the verdict spoke of (the weekly one when it is the weekly limit that holds,
 * slows or warns), else the 5-hour one.
 */
export function storyFigure(view: UsageView, window: UsageWindow | null): StoryFigure {
  const u = window === 'seven_day' && view.weekly ? view.weekly : view;
  return { window: u.window, share: u.share, source: u.source, confidence: u.confidence, resetAt: u.resetAt };
}

/** The account's picture, recovery state and the figure every view prints, from one reading of the store. */
export function usageStory(
  store: Store,
  config: Config,
  account: string,
  now: number,
  opts: UsageViewOptions & { env?: Env; picture?: UsagePicture } = {},
): UsageStory {
  const picture = opts.picture ?? usagePicture(store, config, account, now, opts);
  const recovery = recoveryNow(store, config, account, now, picture, opts.env);
  return { picture, recovery, figure: storyFigure(picture.view, recovery.window) };
}
