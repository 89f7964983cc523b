/** A JSON object (not null, not an array): what a field read from outside input is checked to be. */
export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
