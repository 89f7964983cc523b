/** The user's IANA zone, found only when first asked: Intl's start-up costs a hook ~15 ms. */
export function localTimeZone(env: { TZ?: string | undefined }): () => string {
  let zone: string | undefined;
  return () => {
    zone ??=
      env.TZ && env.TZ.length > 0 && !env.TZ.startsWith(':') ? env.TZ : Intl.DateTimeFormat().resolvedOptions().timeZone;
    return zone;
  };
}
