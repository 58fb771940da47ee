/**
 * PyYAML and Go's YAML reader accept a multi-line quoted scalar whose continuation lines sit no deeper than the
 * list item or key that holds it, and KFP's own compiled test data has such files; YAML 1.2 (and the `yaml`
 * package) refuses them. Inside a quoted scalar the leading spaces of a continuation line are folded away, so
 * indenting those lines deeper changes no value: that is all this does.
 */

/** Where a quoted scalar opens on a line: after the indentation, `- ` markers and an optional `key: `. */
const opening = /^(\s*)((?:-\s+)*)(?:[^\s"'#:][^:#]*:\s+)?(["'])/;

/** The index just past the closing quote of a scalar quoted by `quote` in `line` from `from`, or -1. */
function closing(line: string, from: number, quote: string): number {
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (quote === '"' && c === '\\') {
      i++;
      continue;
    }
    if (c === quote) {
      if (quote === "'" && line[i + 1] === "'") {
        i++;
        continue;
      }
      return i + 1;
    }
  }
  return -1;
}

/** The text with the continuation lines of quoted scalars indented past their opening quote. */
export function repairQuotedIndentation(text: string): string {
  const lines = text.split('\n');
  let open: { quote: string; indent: number } | undefined;
  for (const [n, line] of lines.entries()) {
    if (open !== undefined) {
      const body = line.trimStart();
      if (body !== '') lines[n] = ' '.repeat(open.indent) + body;
      if (closing(body, 0, open.quote) >= 0) open = undefined;
      continue;
    }
    const m = opening.exec(line);
    if (!m) continue;
    const quoteAt = m[0].length - 1;
    if (closing(line, quoteAt + 1, m[3]!) < 0) open = { quote: m[3]!, indent: quoteAt + 1 };
  }
  return lines.join('\n');
}
