// The fixed substrings that mark a transcript line as Claude Code's report of trouble from the API:
// a retry line, an API error line, a subscription limit line. One list, read by the importer's
// pre-checks, the limit-message parser and the hooks' fast path alike, so none of them can miss a
// spelling another one knows. Kept free of imports: the fast path loads it on every tool call.

/** Substrings of the limit texts, in the case variants the wordings actually use. */
export const LIMIT_TEXT_MARKERS: readonly string[] = [
  'imit reached',
  'imit Reached',
  'IMIT REACHED',
  'hit your',
  'Hit your',
  'Hit Your',
  'HIT YOUR',
];

/** The structured marks of an API error line (limit lines carry them too). */
export const API_ERROR_MARKERS: readonly string[] = ['api_error', 'isApiErrorMessage', 'usage_limit_reached'];

/** Everything the fast path looks for in the bytes written since its cached decision. */
export const TROUBLE_MARKERS: readonly string[] = [...API_ERROR_MARKERS, ...LIMIT_TEXT_MARKERS];
