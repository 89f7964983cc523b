/** `ccguard help` and `ccguard <command> --help`, written from the commands' descriptions (spec.ts). */
import { placeholder, type CommandSpec, type OptionSpec } from './args.ts';
import { SPECS } from './spec.ts';
import { displayWidth, wrap } from './width.ts';

const shown = (o: OptionSpec): boolean => !('hidden' in o && o.hidden);

function optionWord(name: string, o: OptionSpec): string {
  const v = placeholder(o);
  return v ? `--${name} ${v}` : `--${name}`;
}

function argWord(spec: CommandSpec): string {
  const a = spec.arg;
  if (!a) return '';
  const v = a.choices ? Object.keys(a.choices).join('|') : (a.value ?? a.name.toUpperCase());
  return a.required ? v : `[${v}]`;
}

/** The usage lines of one command: one per form, each `name [arg] [--option VALUE]...`. */
export function synopses(name: string, spec: CommandSpec): string[] {
  const forms = spec.forms ?? [['<arg>', ...Object.keys(spec.options)]];
  return forms.map((form) =>
    [
      name,
      ...form.flatMap((w) => {
        if (w === '<arg>') return argWord(spec) ? [argWord(spec)] : [];
        const o = spec.options[w];
        return o && shown(o) ? [`[${optionWord(w, o)}]`] : [];
      }),
    ].join(' '),
  );
}

/** Two columns (`left` padded to `col`) when there is room, else `right` under `left`; wrapped to `width`. */
function twoColumns(left: string, right: string, col: number, width: number, indent: number): string[] {
  const roomy = !Number.isFinite(width) || width - col >= 36;
  if (roomy && displayWidth(left) + 2 <= col)
    return wrap(left + ' '.repeat(col - displayWidth(left)) + right, width, col);
  if (roomy) return [...wrap(left, width, indent + 4), ...wrap(' '.repeat(col) + right, width, col)];
  return [...wrap(left, width, indent + 4), ...wrap(' '.repeat(indent + 4) + right, width, indent + 4)];
}

/** `ccguard help`: every command with its usage and what it does. */
export function mainHelp(width: number): string {
  const lines = [
    ...wrap('ccguard: keeps Claude Code sessions inside their usage limits.', width),
    '',
    ...wrap('Usage: ccguard <command> [options]   (ccguard <command> --help says more)', width, 7),
    '',
    'Commands:',
  ];
  for (const [name, spec] of Object.entries(SPECS) as [string, CommandSpec][]) {
    const forms = synopses(name, spec);
    forms.forEach((f, i) =>
      lines.push(
        ...(i < forms.length - 1 ? wrap(`  ${f}`, width, 6) : twoColumns(`  ${f}`, spec.summary, 46, width, 2)),
      ),
    );
  }
  lines.push(
    '',
    ...wrap(
      'State lives in $CCGUARD_HOME (default ~/.claude/ccguard); overrides go in its config.yaml. ccguard -v prints the version.',
      width,
    ),
  );
  return lines.map((l) => l.trimEnd()).join('\n') + '\n';
}

/** `ccguard <command> --help`: its usage, what it does, its argument and options. */
export function commandHelp(name: string, spec: CommandSpec, width: number): string {
  const lines: string[] = [];
  synopses(`ccguard ${name}`, spec).forEach((s, i) =>
    lines.push(...wrap(`${i === 0 ? 'Usage: ' : '       '}${s}`, width, 7 + name.length + 9)),
  );
  lines.push('', ...wrap(spec.about ?? spec.summary, width));
  const rows: [string, string][] = [];
  if (spec.arg?.choices) for (const [c, what] of Object.entries(spec.arg.choices)) rows.push([c, what]);
  const opts = Object.entries(spec.options).filter(([, o]) => shown(o));
  const col = Math.min(
    28,
    Math.max(
      ...[...rows.map(([l]) => l), ...opts.map(([n, o]) => optionWord(n, o)), '-h, --help'].map(
        (l) => displayWidth(l) + 4,
      ),
    ),
  );
  if (rows.length > 0) {
    lines.push('', `${spec.arg!.name[0]!.toUpperCase()}${spec.arg!.name.slice(1)}:`);
    for (const [l, r] of rows) lines.push(...twoColumns(`  ${l}`, r, col, width, 2));
  }
  lines.push('', 'Options:');
  for (const [n, o] of opts) lines.push(...twoColumns(`  ${optionWord(n, o)}`, o.help, col, width, 2));
  lines.push(...twoColumns('  -h, --help', 'print this help', col, width, 2));
  return lines.map((l) => l.trimEnd()).join('\n') + '\n';
}
