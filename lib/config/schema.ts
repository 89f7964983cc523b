import { z } from 'zod';

// Every message reads as the tail of "<key> must be ...", so the error line names key, rule and value.
const share = z
  .number({ error: 'must be a number between 0 and 1' })
  .min(0, { error: 'must be a number between 0 and 1' })
  .max(1, { error: 'must be a number between 0 and 1' });
const positive = z.number({ error: 'must be a positive number' }).positive({ error: 'must be a positive number' });
const nonNegative = z
  .number({ error: 'must be a number of 0 or more' })
  .min(0, { error: 'must be a number of 0 or more' });
const count = z
  .number({ error: 'must be a whole number of 1 or more' })
  .int({ error: 'must be a whole number of 1 or more' })
  .min(1, { error: 'must be a whole number of 1 or more' });
const toolList = z.array(z.string({ error: 'must be a list of tool names' }), {
  error: 'must be a list of tool names',
});

export const PriceSchema = z.strictObject({
  input: nonNegative,
  output: nonNegative,
  cache_write_5m: nonNegative,
  cache_write_1h: nonNegative.optional(),
  cache_read: nonNegative,
});
export type Price = z.infer<typeof PriceSchema>;

export const PlanSchema = z.union([z.enum(['pro', 'max5', 'max20', 'custom']), z.number().int().positive()], {
  error: 'must be pro, max5, max20, custom or a positive token number',
});
export type Plan = z.infer<typeof PlanSchema>;

export const ConfigSchema = z.strictObject({
  mode: z.enum(['enforce', 'observe'], { error: 'must be enforce or observe' }),
  plan: PlanSchema,
  fail_mode: z.enum(['open', 'closed'], { error: 'must be open or closed' }),
  alerts: z.strictObject({
    token_threshold: share,
    rate_limit_threshold: share,
    time_threshold: positive,
    cost_threshold: positive,
    hard_cost_limit: z
      .number({ error: 'must be a positive number of USD, or null to turn it off' })
      .positive({ error: 'must be a positive number of USD, or null to turn it off (0 would deny everything at once)' })
      .nullable(),
    wind_down: share,
  }),
  recovery: z.strictObject({
    rate_limit: z.enum(['exponential_backoff', 'none'], { error: 'must be exponential_backoff or none' }),
    time_limit: z.enum(['session_pause', 'none'], { error: 'must be session_pause or none' }),
    cost_limit: z.enum(['graceful_degradation', 'none'], { error: 'must be graceful_degradation or none' }),
    notification: z.boolean({ error: 'must be true or false' }),
    backoff: z.strictObject({
      base_seconds: positive,
      factor: z.number({ error: 'must be a number of 1 or more' }).min(1, { error: 'must be a number of 1 or more' }),
      max_seconds: positive,
      quiet_minutes: positive,
    }),
    pause: z.strictObject({ minutes: positive }),
    degradation: z.strictObject({ deny_tools: toolList }),
    // A sleeping hook holds the whole session up without a word; Claude Code's own default hook
    // timeout is 10 minutes, and a longer wait is better told (the deny that says how long).
    max_sleep_seconds: z
      .number({ error: 'must be a number from 0 to 600 (seconds)' })
      .min(0, { error: 'must be a number from 0 to 600 (seconds)' })
      .max(600, { error: 'must be a number from 0 to 600 (seconds): a longer wait becomes a deny that says how long' }),
    never_gate: toolList,
    // An unattended session (claude -p, CI, the Agent SDK) held longer than max_sleep_seconds: defer
    // the tool call (the run ends, `ccguard run` resumes it after the hold) or deny it as before.
    unattended: z.enum(['defer', 'deny'], { error: 'must be defer or deny' }),
  }),
  prices: z.record(z.string(), PriceSchema, { error: 'must map model ids to prices' }),
  import: z.strictObject({
    initial_window_hours: positive,
    rescan_seconds: nonNegative,
  }),
  performance: z.strictObject({
    fast_path_seconds: nonNegative,
  }),
  limits: z.strictObject({
    server_fresh_seconds: positive,
    usage_api: z.strictObject({
      enabled: z.boolean({ error: 'must be true or false' }),
      url: z.url({ error: 'must be an http or https URL', protocol: /^https?$/ }),
      ttl_seconds: z
        .number({ error: 'must be a number of 120 or more' })
        .min(120, { error: 'must be a number of 120 or more (the endpoint answers 429 when asked more often)' }),
    }),
  }),
  integrations: z.strictObject({
    claude_monitor: z.strictObject({
      enabled: z.union([z.literal('auto'), z.boolean()], { error: 'must be auto, true or false' }),
      command: z
        .string({ error: 'must be a command name or path' })
        .min(1, { error: 'must be a command name or path' }),
      args: z.array(z.string({ error: 'must be a list of arguments' }), { error: 'must be a list of arguments' }),
      plan: z
        .enum(['pro', 'max5', 'max20', 'custom'], { error: 'must be pro, max5, max20, custom or null' })
        .nullable(),
      cache_ttl_seconds: positive,
      max_age_seconds: positive,
      timeout_seconds: positive,
      state_file: z
        .string({ error: 'must be a file path or null' })
        .min(1, { error: 'must be a file path or null' })
        .nullable(),
    }),
  }),
  logging: z.strictObject({
    level: z.enum(['error', 'warn', 'info', 'debug'], { error: 'must be error, warn, info or debug' }),
    file: z.string({ error: 'must be a file name' }).min(1, { error: 'must be a file name' }),
    max_bytes: count,
    max_files: count,
  }),
  privacy: z.strictObject({
    store_tool_input: z.boolean({ error: 'must be true or false' }),
  }),
  notifications: z.strictObject({
    webhook: z.strictObject({
      url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL or null' }).nullable(),
      format: z.enum(['auto', 'json', 'ntfy', 'slack'], { error: 'must be auto, json, ntfy or slack' }),
      timeout_seconds: z
        .number({ error: 'must be a number from 1 to 30 (seconds)' })
        .min(1, { error: 'must be a number from 1 to 30 (seconds)' })
        .max(30, { error: 'must be a number from 1 to 30 (seconds)' }),
    }),
  }),
});

export type Config = z.infer<typeof ConfigSchema>;
