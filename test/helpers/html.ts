/** Reading the report page back in tests: the numbers in its data attributes, by chart. */

/** The markup of one chart variant (`wide` or `narrow`). */
export function chartSvg(html: string, chart: string, variant: 'wide' | 'narrow' = 'wide'): string {
  const re = new RegExp(`<svg[^>]*class="${variant}" data-chart="${chart}"[\\s\\S]*?</svg>`);
  const m = re.exec(html);
  if (!m) throw new Error(`no ${variant} ${chart} chart in the page`);
  return m[0];
}

/** Every element with `class` containing `cls`: its attributes as a record. */
export function elements(html: string, tag: string, cls: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  const re = new RegExp(`<${tag}\\b([^>]*)>`, 'g');
  for (const m of html.matchAll(re)) {
    const a = attrsOf(m[1] ?? '');
    if ((a.class ?? '').split(/\s+/).includes(cls)) out.push(a);
  }
  return out;
}

export function attrsOf(s: string): Record<string, string> {
  const a: Record<string, string> = {};
  for (const m of s.matchAll(/([\w:-]+)="([^"]*)"/g)) a[m[1]!] = unescape(m[2]!);
  return a;
}

function unescape(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The section with this id. */
export function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no #${id}`);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}
