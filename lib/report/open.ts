import { execa } from 'execa';
import { CcguardError } from '../util/errors.ts';

/** The desktop's "open this file" command for a platform. */
export function openerFor(platform: NodeJS.Platform): string {
  return platform === 'darwin' ? 'open' : platform === 'win32' ? 'explorer.exe' : 'xdg-open';
}

/**
 * Opens a file with the desktop's default application: the opener gets the path as its one argument
 * (no shell), runs detached, and is not waited for. Rejects only when the opener cannot be started.
 */
export async function openFile(file: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  const cmd = openerFor(platform);
  const sub = execa(cmd, [file], { detached: true, stdio: 'ignore', cleanup: false, reject: false });
  try {
    await new Promise<void>((resolve, reject) => {
      sub.once('spawn', () => resolve());
      sub.once('error', reject);
    });
  } catch (err) {
    throw new CcguardError(`cannot open the report with ${cmd}`, { cause: err });
  }
  sub.unref();
  void sub.catch(() => undefined);
}
