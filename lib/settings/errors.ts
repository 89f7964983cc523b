import { CcguardError } from '../util/errors.ts';

/** A Claude Code settings file ccguard cannot read, change or restore; the file is left as it was. */
export class SettingsError extends CcguardError {
  override readonly name = 'SettingsError';
}
