// The fixed strings Claude Code's transcripts are read by: the substrings that mark a line as one
// that can yield a record at all, or as Claude Code's report of trouble from the API (a retry line,
// an API error line, a subscription limit line), and the model name of its synthetic lines. One
// place, read by the importer's pre-checks, the limit-message parser, the hooks' fast path and the
// pricing and reports alike, so none of them can miss a spelling another one knows. Kept free of
// imports: the fast path loads it on every tool call.

/**
 * Byte strings one of which stands in every line that can yield a record. Claude Code writes API
 * errors and limit messages as synthetic assistant lines that carry a (zero) usage, and retries as
 * `"subtype":"api_error"` system lines; a JSON-escaped `\"usage\"` inside a tool result does not match.
 * lib/transcripts/scanner.wat looks for the same two in compiled form (its test holds them equal).
 */
export const RECORD_MARKERS: readonly string[] = ['"usage"', '"api_error"'];

/** The model Claude Code names on the assistant lines it writes itself (errors, limit messages): no API call, no cost. */
export const SYNTHETIC_MODEL = '<synthetic>';

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

/** Whether `text` holds one of the structured marks of an API error line. */
export function hasApiErrorMarker(text: string): boolean {
  return API_ERROR_MARKERS.some((m) => text.includes(m));
}

/** Everything the fast path looks for in the bytes written since its cached decision. */
export const TROUBLE_MARKERS: readonly string[] = [...API_ERROR_MARKERS, ...LIMIT_TEXT_MARKERS];
