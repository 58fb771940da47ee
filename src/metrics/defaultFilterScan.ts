// A hand-written matcher that finds exactly the matches of Katib's default filter
// `([\w|-]+)\s*=\s*([+-]?\d*(\.\d+)?([Ee][+-]?\d+)?)` (with RE2's `\s` = [\t\n\f\r ]), several times faster
// than the regex on metric-heavy logs. A property test checks it against the regex on random text.
//
// Why it is exact: every match holds exactly one '=' (names, spaces and values cannot contain one), so
// matches come in the order of the '=' signs; for a given '=', the only possible start is the beginning of
// the run of name characters that ends right before the spaces before it (bounded by where the previous
// match ended), and the value part is deterministic because each optional piece is taken greedily.

function isNameChar(c: number): boolean {
  // [A-Za-z0-9_|-]
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 124 || c === 45;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * All matches of the default filter in `line`, as a flat list `[name1, value1, name2, value2, …]`
 * (groups 1 and 2, untrimmed, the value possibly empty). Used by the TEXT parser when no filter is set.
 */
export function scanDefaultFilter(line: string): string[] {
  const out: string[] = [];
  let pos = 0; // where the next match may start
  let eq = line.indexOf('=');
  while (eq >= 0) {
    let j = eq - 1;
    while (j >= pos && isSpace(line.charCodeAt(j))) j--;
    const nameEnd = j + 1;
    while (j >= pos && isNameChar(line.charCodeAt(j))) j--;
    const nameStart = j + 1;
    if (nameStart === nameEnd) {
      eq = line.indexOf('=', eq + 1);
      continue;
    }
    let k = eq + 1;
    while (k < line.length && isSpace(line.charCodeAt(k))) k++;
    const valueStart = k;
    const sign = line.charCodeAt(k);
    if (sign === 43 || sign === 45) k++;
    while (isDigit(line.charCodeAt(k))) k++;
    if (line.charCodeAt(k) === 46 /* . */ && isDigit(line.charCodeAt(k + 1))) {
      k += 2;
      while (isDigit(line.charCodeAt(k))) k++;
    }
    const e = line.charCodeAt(k);
    if (e === 69 || e === 101) {
      let m = k + 1;
      const expSign = line.charCodeAt(m);
      if (expSign === 43 || expSign === 45) m++;
      if (isDigit(line.charCodeAt(m))) {
        k = m + 1;
        while (isDigit(line.charCodeAt(k))) k++;
      }
    }
    out.push(line.slice(nameStart, nameEnd), line.slice(valueStart, k));
    pos = k;
    eq = line.indexOf('=', k);
  }
  return out;
}
