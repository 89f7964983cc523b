import { z } from 'zod';

/**
 * The parts of Claude Code's settings.json that ccguard reads, checked leniently: everything else
 * passes through untouched, and groups or hook objects of a shape ccguard does not know are simply
 * not ccguard's (left alone), so only a `hooks` that is not an object of arrays stops an install.
 */
export const SettingsShape = z.looseObject({
  hooks: z
    .record(z.string(), z.array(z.unknown(), { error: 'must be a list of matcher groups' }), {
      error: 'must be an object of event names to lists',
    })
    .optional(),
});

export const MatcherGroupShape = z.looseObject({
  matcher: z.string().optional(),
  hooks: z.array(z.unknown()),
});

export const CommandHookShape = z.looseObject({
  type: z.literal('command'),
  command: z.string(),
});

export const StatusLineShape = z.looseObject({
  type: z.literal('command'),
  command: z.string(),
});

/** What install remembers per settings file, so uninstall can put back exactly what was there. */
export const InstallRecordSchema = z.object({
  version: z.literal(1),
  settings_path: z.string(),
  scope: z.string(),
  installed_at: z.string(),
  /** Did the settings file exist before the first install. */
  original_existed: z.boolean(),
  /** sha256 of the file before the first install (null if it did not exist). */
  original_sha256: z.string().nullable(),
  /** The backup of that original, if one was taken. */
  backup_path: z.string().nullable(),
  /** sha256 of what install last wrote: uninstall of an untouched file restores the backup verbatim. */
  written_sha256: z.string(),
  /** install added the top-level "hooks" key. */
  created_hooks_key: z.boolean(),
  /** Event keys under "hooks" that install added. */
  created_events: z.array(z.string()),
  /** Set when install took over the status line: the user's statusLine before that (absent if none). */
  status_line: z
    .object({
      had_original: z.boolean(),
      original: z.unknown().optional(),
    })
    .nullable(),
  /** Where the hooks point (the package root, or the copy under the state directory). */
  app_root: z.string(),
});
export type InstallRecord = z.infer<typeof InstallRecordSchema>;
