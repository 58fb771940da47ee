/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders and shell expansions are data here. */
import { describe, expect, it } from 'vitest';
import { WorkbenchError } from '../../src/common/errors.ts';
import { renderScript } from '../../src/spec/shellScript.ts';

const V = '${trialParameters.v}';
const envOf = (name: string) => (name === 'v' ? 'E' : undefined);
const render = (script: string) => renderScript(script, envOf);

describe('renderScript', () => {
  it.each([
    ['bare word', `run --a=${V}`, 'run --a="${E}"', 'bare'],
    ['double quotes', `run "${V}"`, 'run "${E}"', 'double'],
    ['single quotes', `run '${V}'`, `run ''"\${E}"''`, 'single'],
    ["$'…'", `run $'<${V}>'`, `run $'<'"\${E}"$'>'`, 'ansi'],
    ['$(…) in double quotes', `x="$(f ${V})"`, 'x="$(f "${E}")"', 'bare'],
    ["'…' in $(…) in double quotes", `x="$(f '${V}')"`, `x="$(f ''"\${E}"'')"`, 'single'],
    ['backquotes', `x=\`f ${V}\``, 'x=`f "${E}"`', 'bare'],
    ['${x:-…} unquoted', `f \${x:-${V}}`, 'f ${x:-"${E}"}', 'bare'],
    ['${x:-…} quoted', `f "\${x:-${V}}"`, 'f "${x:-${E}}"', 'double'],
    ['arithmetic', `f $((${V} + 1))`, 'f $((${E} + 1))', 'arithmetic'],
    ['arithmetic command', `(( x = ${V} ))`, '(( x = ${E} ))', 'arithmetic'],
    ['comment', `f # ${V}`, 'f # ${E}', 'comment'],
    ['unquoted here-document', `cat <<EOF\n"${V}"\nEOF`, 'cat <<EOF\n"${E}"\nEOF', 'heredoc'],
    ['here-string', `cat <<< ${V}`, 'cat <<< "${E}"', 'bare'],
    ['unknown names stay', 'f ${trialParameters.other} $HOME', 'f ${trialParameters.other} $HOME', undefined],
  ])('%s', (_case, script, expected, context) => {
    const r = render(script);
    expect(r.text).toBe(expected);
    expect(r.placeholders.map((p) => p.context)).toEqual(context === undefined ? [] : [context]);
  });

  it('turns a quoted here-document with a placeholder into an unquoted one, escaping the text as written', () => {
    const r = render(`python - <<'EOF'\nprint('$HOME \\\\ \`x\`', ${V})\nEOF\necho '$kept'`);
    expect(r.text).toBe(`python - <<EOF\nprint('\\$HOME \\\\\\\\ \\\`x\\\`', \${E})\nEOF\necho '$kept'`);
    expect(r.placeholders).toEqual([{ name: 'v', context: 'heredocQuoted' }]);
  });

  it('leaves a quoted here-document without placeholders alone', () => {
    const script = "cat <<'EOF'\n$HOME\nEOF";
    expect(render(script).text).toBe(script);
  });

  it.each([
    ['bash -c', `bash -c "f ${V}; g '${V}'"`, `bash -c "f \\"\\\${E}\\"; g ''\\"\\\${E}\\"''"`],
    ['sh -c behind timeout', `timeout 5 sh -c 'f ${V}'`, `timeout 5 sh -c 'f "\${E}"'`],
    ['eval', `eval "f ${V}"`, 'eval "f \\"\\${E}\\""'],
    ['here-document read by sh', `sh <<EOF\nf ${V}\nEOF`, 'sh <<EOF\nf "\\${E}"\nEOF'],
    ['quoted here-document read by sh', `sh <<'EOF'\nf ${V}\nEOF`, `sh <<'EOF'\nf "\${E}"\nEOF`],
    ['here-document piped to sh', `cat <<'EOF' | sh\nf ${V}\nEOF`, `cat <<'EOF' | sh\nf "\${E}"\nEOF`],
    ['nested twice', `sh -c 'sh -c "f ${V}"'`, `sh -c 'sh -c "f \\"\\\${E}\\""'`],
    ['a shell named by $SHELL or $0', `"$0" -c 'f ${V}'`, `"$0" -c 'f "\${E}"'`],
    ['a here-string read by bash', `bash <<< "f ${V}"`, 'bash <<< "f \\"\\${E}\\""'],
    ['echo piped into sh', `echo "f ${V}" | sh`, 'echo "f \\"\\${E}\\"" | sh'],
    [
      'printf piped into bash -s',
      `printf '%s\\n' "f ${V}" | tee x | bash -s`,
      `printf '%s\\n' "f \\"\\\${E}\\"" | tee x | bash -s`,
    ],
    ['eval behind builtin', `builtin eval "f ${V}"`, 'builtin eval "f \\"\\${E}\\""'],
    ['eval in a condition', `if eval "f ${V}"; then :; fi`, 'if eval "f \\"\\${E}\\""; then :; fi'],
  ])('defers the reference to the shell that runs a nested script: %s', (_case, script, expected) => {
    expect(render(script).text).toBe(expected);
  });

  it('rewrites a static nested script whole when it holds a here-document', () => {
    const r = render(`bash -c "cat <<'X'\n${V}\nX"`);
    expect(r.text).toBe(`bash -c 'cat <<X\n\${E}\nX'`);
    expect(r.placeholders).toEqual([{ name: 'v', context: 'heredocQuoted' }]);
  });

  it.each([
    ['a delimiter that cannot be unquoted', `cat <<'E F'\n${V}\nE F`, /plain word such as EOF/],
    ['a nested script mixing expansions and a here-document', `bash -c "cat <<'X'\n$A ${V}\nX"`, /nested script/],
    [
      'a value an outer $(…) puts into a nested script',
      `sh -c "f $(g ${V})"`,
      /"v" is expanded by one shell.*would become that shell's source/,
    ],
    ['a value an outer ${…} puts into a nested script', `eval "f \${X:-${V}}"`, /would become that shell's source/],
  ])('refuses %s', (_case, script, message) => {
    expect(() => render(script)).toThrow(WorkbenchError);
    expect(() => render(script)).toThrow(message);
  });

  it('leaves echo alone when nothing reads its output as a script', () => {
    expect(render(`echo "f ${V}" | cat`).text).toBe('echo "f ${E}" | cat');
    expect(render(`echo eval "${V}"`).text).toBe('echo eval "${E}"');
  });

  it('lets the outer shell compute checked arithmetic for a nested script', () => {
    expect(render(`sh -c "f $((${V} + 1))"`).text).toBe('sh -c "f $((${E} + 1))"');
  });

  it('never stalls on unbalanced input', () => {
    for (const s of ['"', "'", '$(', '`', '${', '$((', "$'", '<<', 'cat <<EOF', ')', '((', `"${V}`, `'${V}`]) {
      expect(typeof render(s).text).toBe('string');
    }
  });
});
