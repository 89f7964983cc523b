import type { Price } from '../config/schema.ts';
import { SYNTHETIC_MODEL } from './markers.ts';

/**
 * USD per million tokens, as Claude Code 2.1.x computes cost: the 5.x and 4.x rows were each measured
 * against the CLI's own total_cost_usd with one usage field at a time; the 3.x rows are published
 * list prices. A 1-hour cache write costs twice the input price unless a row says otherwise.
 */
const OPUS_5: Price = { input: 4, output: 20, cache_write_5m: 5, cache_write_1h: 8, cache_read: 0.2 };
const SONNET_5: Price = { input: 2, output: 10, cache_write_5m: 2.5, cache_write_1h: 4, cache_read: 0.1 };
const HAIKU_5: Price = { input: 0.1, output: 0.5, cache_write_5m: 0.125, cache_write_1h: 0.2, cache_read: 0.01 };

/** Model id pattern, price, and the models it covers in words (the README's table is made from it). */
const TABLE: ReadonlyArray<readonly [RegExp, Price, string]> = [
  [/^claude-opus-5-5/, OPUS_5, 'claude-opus-5-5'],
  [/^claude-sonnet-5-5/, SONNET_5, 'claude-sonnet-5-5'],
  [/^claude-haiku-5-5/, HAIKU_5, 'claude-haiku-5-5'],
  [
    /^claude-opus-4-(?:[5-9]|\d\d)/,
    { input: 5, output: 25, cache_write_5m: 6.25, cache_read: 0.5 },
    'claude-opus-4-5 and later 4.x',
  ],
  [
    /^claude-opus-4(?:-[01])?(?:-|$)/,
    { input: 15, output: 75, cache_write_5m: 18.75, cache_read: 1.5 },
    'claude-opus-4, claude-opus-4-1',
  ],
  [/^claude-sonnet-4/, { input: 3, output: 15, cache_write_5m: 3.75, cache_read: 0.3 }, 'claude-sonnet-4 (4, 4.5)'],
  [/^claude-haiku-4/, { input: 1, output: 5, cache_write_5m: 1.25, cache_read: 0.1 }, 'claude-haiku-4 (4.5)'],
  [
    /^claude-3-7-sonnet|^claude-3-5-sonnet/,
    { input: 3, output: 15, cache_write_5m: 3.75, cache_read: 0.3 },
    'claude-3-7-sonnet, claude-3-5-sonnet',
  ],
  [/^claude-3-5-haiku/, { input: 0.8, output: 4, cache_write_5m: 1, cache_read: 0.08 }, 'claude-3-5-haiku'],
  [/^claude-3-opus/, { input: 15, output: 75, cache_write_5m: 18.75, cache_read: 1.5 }, 'claude-3-opus'],
  [/^claude-3-haiku/, { input: 0.25, output: 1.25, cache_write_5m: 0.3, cache_read: 0.03 }, 'claude-3-haiku'],
];

/**
 * Models newer than the table are priced like the newest of their family, and flagged; a model of no
 * known family is priced as Claude Code prices it, like its default Opus.
 */
const FAMILY: ReadonlyArray<readonly [RegExp, Price]> = [
  [/opus/i, OPUS_5],
  [/sonnet/i, SONNET_5],
  [/haiku/i, HAIKU_5],
];

const FREE: Price = { input: 0, output: 0, cache_write_5m: 0, cache_write_1h: 0, cache_read: 0 };

export interface PriceLookup {
  price: Price;
  /** True when the model was not in the table and was priced by its family (or as a Sonnet). */
  estimated: boolean;
}

export type PriceOverrides = Readonly<Record<string, Price>>;

/** `claude-sonnet-4-5-20250929` and `claude-sonnet-4-5@20250929` both name `claude-sonnet-4-5`. */
export function baseModelId(model: string): string {
  return model.replace(/[-@]\d{8}$/, '').replace(/\[[^\]]*\]$/, '');
}

export function priceFor(model: string, overrides: PriceOverrides = {}): PriceLookup {
  if (model === SYNTHETIC_MODEL) return { price: FREE, estimated: false };
  const own = overrides[model] ?? overrides[baseModelId(model)];
  if (own) return { price: own, estimated: false };
  const id = baseModelId(model);
  for (const [re, price] of TABLE) if (re.test(id)) return { price, estimated: false };
  for (const [re, price] of FAMILY) if (re.test(id)) return { price, estimated: true };
  return { price: OPUS_5, estimated: true };
}

export interface TokenCounts {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export function costOf(tokens: TokenCounts, price: Price): number {
  const write1h = price.cache_write_1h ?? price.input * 2;
  return (
    (tokens.input * price.input +
      tokens.output * price.output +
      tokens.cacheWrite5m * price.cache_write_5m +
      tokens.cacheWrite1h * write1h +
      tokens.cacheRead * price.cache_read) /
    1_000_000
  );
}

/** A stable fingerprint of the overrides, so stored costs are recomputed when the user changes prices. */
export function pricesFingerprint(overrides: PriceOverrides): string {
  const keys = Object.keys(overrides).sort();
  return JSON.stringify(keys.map((k) => [k, overrides[k]]));
}

const usd = (n: number): string => `$${n}`;

/** The embedded price table as Markdown, for the README (scripts/readme-examples.ts writes it). @internal */
export function renderPriceTable(): string {
  const rows = TABLE.map(
    ([, p, models]) =>
      `| ${models} | ${usd(p.input)} | ${usd(p.output)} | ${usd(p.cache_write_5m)} | ${usd(p.cache_write_1h ?? p.input * 2)} | ${usd(p.cache_read)} |`,
  );
  return [
    '| models | input | output | cache write 5 min | cache write 1 h | cache read |',
    '|---|--:|--:|--:|--:|--:|',
    ...rows,
  ].join('\n');
}
