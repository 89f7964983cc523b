/** Status line input as Claude Code 2.1 sends it to a claude.ai subscriber (rate_limits only where given). */
export function statusInput(
  session: string,
  fiveHour: number | null,
  resetsAtSec: number,
  sevenDay?: { pct: number; resetsAtSec: number },
): string {
  return JSON.stringify({
    session_id: session,
    transcript_path: `/home/u/.claude/projects/-work-app/${session}.jsonl`,
    cwd: '/work/app',
    model: { id: 'claude-opus-4-5-20251101', display_name: 'Opus 4.5' },
    workspace: { current_dir: '/work/app', project_dir: '/work/app' },
    version: '2.1.330',
    output_style: { name: 'default' },
    cost: {
      total_cost_usd: 1.2345,
      total_duration_ms: 812345,
      total_api_duration_ms: 123456,
      total_lines_added: 12,
      total_lines_removed: 3,
    },
    exceeds_200k_tokens: false,
    context_window: { total_input_tokens: 41234, total_output_tokens: 2345, context_window_size: 200000 },
    rate_limits: {
      ...(fiveHour === null ? {} : { five_hour: { used_percentage: fiveHour, resets_at: resetsAtSec } }),
      ...(sevenDay ? { seven_day: { used_percentage: sevenDay.pct, resets_at: sevenDay.resetsAtSec } } : {}),
    },
  });
}
