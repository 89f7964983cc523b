/** Runs `f` with the process in another time zone (Node re-reads TZ when it is assigned). */
export function inZone<T>(tz: string, f: () => T): T {
  const was = process.env.TZ;
  process.env.TZ = tz;
  try {
    return f();
  } finally {
    if (was === undefined) delete process.env.TZ;
    else process.env.TZ = was;
  }
}
