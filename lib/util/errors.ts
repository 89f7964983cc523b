/** Base of every error ccguard raises on purpose: one line for people, the cause kept for the log. */
export class CcguardError extends Error {
  override readonly name: string = 'CcguardError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The user's config.yaml (or the defaults) is not valid. */
export class ConfigError extends CcguardError {
  override readonly name = 'ConfigError';
}

/** Hook stdin is not the JSON Claude Code documents. */
export class HookInputError extends CcguardError {
  override readonly name = 'HookInputError';
}

/** The state database cannot be opened, migrated or written. */
export class StoreError extends CcguardError {
  override readonly name = 'StoreError';
}

/** A command line the CLI cannot act on. */
export class UsageError extends CcguardError {
  override readonly name = 'UsageError';
}

/** One line that says what went wrong, with the cause chain folded in. */
export function oneLine(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 4; depth++) {
    if (cur instanceof Error) {
      // A cause that is a structured dump (zod's issue list) adds nothing to the first line.
      const m = cur.message.trim();
      if (depth === 0 || (m.length < 300 && !m.startsWith('[') && !m.startsWith('{'))) parts.push(m);
      cur = cur.cause;
    } else {
      parts.push(typeof cur === 'string' ? cur : (JSON.stringify(cur) ?? typeof cur));
      break;
    }
  }
  return parts.join(': ').replace(/\s*\n\s*/g, ' ');
}
