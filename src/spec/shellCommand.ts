/**
 * Which words of a command line are shell source: the script operand of `sh -c` (behind any wrapper such as
 * `timeout 60`, `nice -n 5`, `env -i A=1`, `xargs`, `sudo -u x`), the command of `su -c`/`runuser -c`/
 * `flock … -c`/`script -c`, what `watch` runs, and `eval`'s operands. Used on a container's argv and, inside
 * a script, on each simple command, so a nested shell's script is found too.
 */

/** POSIX-family shells whose `-c` operand is a script and whose quoting rules the script renderer follows. */
const shells = new Set([
  'sh',
  'bash',
  'rbash',
  'dash',
  'ash',
  'zsh',
  'ksh',
  'ksh93',
  'mksh',
  'lksh',
  'pdksh',
  'yash',
  'posh',
]);

/** Shells with another syntax: a `${…}` reference would not work in their scripts, so placeholders there are refused. */
const foreignShells = new Set(['fish', 'csh', 'tcsh', 'pwsh', 'powershell', 'nu', 'elvish', 'xonsh', 'rc', 'es']);

/** Words that may precede `eval` as the command: assignments aside, keywords and prefix commands. */
const evalPrefixes = new Set([
  'builtin',
  'command',
  'exec',
  'time',
  'nohup',
  '!',
  'if',
  'then',
  'else',
  'elif',
  'do',
  'while',
  'until',
  '{',
  '(',
]);

/** Programs whose `-c`/`--command` value is a command line they hand to a shell. */
const commandOptionRunners = new Set(['su', 'runuser', 'flock', 'script']);

/** Shell options that take the next word as their value. */
const shellValueOptions = new Set(['-o', '+o', '-O', '+O', '--rcfile', '--init-file']);

function baseName(word: string | undefined): string {
  return word === undefined ? '' : (word.split('/').pop() ?? '');
}

/** Whether `word` runs one of the shells above (`sh`, `/bin/bash`, `/usr/bin/env`'s operand `bash`, …). */
export function isShell(word: string | undefined): boolean {
  return shells.has(baseName(word));
}

/** A shell's option words starting at `from`: whether `-c` is among them and where its first operand is. */
function shellOptions(words: readonly (string | undefined)[], from: number): { c: boolean; s: boolean; at: number } {
  let c = false;
  let s = false;
  let i = from;
  for (; i < words.length; i++) {
    const w = words[i];
    if (w === undefined) break;
    if (w === '--' || w === '-') {
      i++;
      break;
    }
    if (shellValueOptions.has(w)) {
      i++;
      continue;
    }
    if (w.startsWith('--')) continue; // --login, --norc, --posix …
    if (!/^[-+][A-Za-z]+$/.test(w)) break;
    if (w.startsWith('-') && w.includes('c')) c = true;
    if (w.startsWith('-') && w.includes('s')) s = true;
  }
  return { c, s, at: i };
}

/**
 * Indices of the words that are shell source in one simple command (or a container's argv). `undefined`
 * stands for a word whose text is not known until run time; such a word never names a program or option.
 * Conservative on purpose: a shell name anywhere followed by a `-c` cluster makes its first operand a script,
 * whatever wrapper precedes it.
 */
export function scriptOperands(words: readonly (string | undefined)[]): number[] {
  const found: number[] = [];
  for (let j = 0; j < words.length; j++) {
    const name = baseName(words[j]);
    if (shells.has(name)) {
      const o = shellOptions(words, j + 1);
      if (o.c && o.at < words.length) found.push(o.at);
    } else if (name === 'eval' && evalIsCommand(words, j)) {
      for (let k = j + 1; k < words.length; k++) found.push(k);
      break;
    } else if (commandOptionRunners.has(name)) {
      for (let k = j + 1; k < words.length - 1; k++) {
        const w = words[k];
        if (w === '-c' || w === '--command' || (w !== undefined && /^-[A-Za-z]*c$/.test(w) && !w.startsWith('--'))) {
          found.push(k + 1);
          break;
        }
      }
    } else if (name === 'watch') {
      // watch joins its operands with spaces and runs them with `sh -c`.
      let k = j + 1;
      while (k < words.length && words[k]?.startsWith('-')) k += /^(-n|--interval)$/.test(words[k] ?? '') ? 2 : 1;
      for (; k < words.length; k++) found.push(k);
      break;
    }
  }
  return [...new Set(found)].sort((a, b) => a - b);
}

/** Whether `eval` at `j` is the command run (`A=1 eval …`, `if eval …`, `command eval …`), not an argument. */
function evalIsCommand(words: readonly (string | undefined)[], j: number): boolean {
  return words.slice(0, j).every((w) => w !== undefined && (evalPrefixes.has(w) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)));
}

/** The index of the script operand of a shell with another syntax (`fish -c …`, `pwsh -Command …`), if any. */
export function foreignScriptOperand(words: readonly (string | undefined)[]): number | undefined {
  for (let j = 0; j < words.length; j++) {
    if (!foreignShells.has(baseName(words[j]))) continue;
    for (let k = j + 1; k < words.length - 1; k++) {
      if (/^(-c|-Command|-command|--command|-[A-Za-z]*c)$/.test(words[k] ?? '')) return k + 1;
    }
  }
  return undefined;
}

/**
 * Whether a command reads its script from stdin (`bash`, `sh -s`, `sudo -u x bash -e`), so that a here-document
 * attached to it is shell source rather than data.
 */
export function readsScriptFromStdin(words: readonly (string | undefined)[]): boolean {
  for (let j = 0; j < words.length; j++) {
    if (!shells.has(baseName(words[j]))) continue;
    const o = shellOptions(words, j + 1);
    if (!o.c && (o.s || o.at >= words.length)) return true;
  }
  return false;
}
