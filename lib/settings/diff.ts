/** A unified line diff (the shape `diff -u` prints), for `install --dry-run`. Small files only. */

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script between two line lists: common prefix and suffix trimmed, LCS in between. */
export function lineOps(a: readonly string[], b: readonly string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const am = a.slice(pre, a.length - suf);
  const bm = b.slice(pre, b.length - suf);
  const ops: Op[] = a.slice(0, pre).map((line) => ({ kind: ' ', line }));
  if (am.length * bm.length > 4_000_000) {
    // Too large to align line by line: show the middle as replaced.
    for (const line of am) ops.push({ kind: '-', line });
    for (const line of bm) ops.push({ kind: '+', line });
  } else {
    const n = am.length;
    const m = bm.length;
    // lcs[i][j]: the longest common subsequence of am[i..] and bm[j..], one flat array.
    const lcs = new Uint32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * (m + 1) + j] =
          am[i] === bm[j] ? lcs[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        ops.push({ kind: ' ', line: am[i]! });
        i++;
        j++;
      } else if (i < n && (j >= m || lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!)) {
        // Removals before additions, as diff prints them.
        ops.push({ kind: '-', line: am[i]! });
        i++;
      } else {
        ops.push({ kind: '+', line: bm[j]! });
        j++;
      }
    }
  }
  for (const line of a.slice(a.length - suf)) ops.push({ kind: ' ', line });
  return ops;
}

/** `--- a` / `+++ b` and `@@ -l,n +l,n @@` hunks with `context` lines around each change; '' when equal. */
export function unifiedDiff(before: string, after: string, labelA: string, labelB: string, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = lineOps(a, b);
  const out = [`--- ${labelA}`, `+++ ${labelB}`];
  // Positions (in ops) of changes, grouped into hunks that share context.
  const changed = ops.map((o, i) => (o.kind === ' ' ? -1 : i)).filter((i) => i >= 0);
  let k = 0;
  while (k < changed.length) {
    const first = changed[k]!;
    let last = first;
    while (k + 1 < changed.length && changed[k + 1]! - last <= 2 * context + 1) last = changed[++k]!;
    k++;
    const from = Math.max(0, first - context);
    const to = Math.min(ops.length, last + context + 1);
    let aStart = 0;
    let bStart = 0;
    for (let i = 0; i < from; i++) {
      if (ops[i]!.kind !== '+') aStart++;
      if (ops[i]!.kind !== '-') bStart++;
    }
    const body = ops.slice(from, to);
    const aLen = body.filter((o) => o.kind !== '+').length;
    const bLen = body.filter((o) => o.kind !== '-').length;
    const range = (start: number, len: number): string => `${len === 0 ? start : start + 1},${len}`;
    out.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@`);
    for (const o of body) out.push(o.kind + o.line);
  }
  // A change in the final newline alone shows no line difference: say so, as diff does.
  if (before.endsWith('\n') !== after.endsWith('\n') && changed.length === 0) {
    out.push(after.endsWith('\n') ? '\\ newline added at end of file' : '\\ No newline at end of file');
  }
  return out.join('\n') + '\n';
}
