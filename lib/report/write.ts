import { replaceFile } from '../util/atomic.ts';
import { CcguardError } from '../util/errors.ts';

/** Writes the file whole or not at all (temp file, then rename), readable by its owner only. */
export function writeReportFile(file: string, text: string): void {
  try {
    replaceFile(file, text);
  } catch (err) {
    throw new CcguardError(`cannot write the report to ${file}`, { cause: err });
  }
}
