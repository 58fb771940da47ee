/** A number as an axis label: four significant digits, no trailing zeros. */
export function shortNumber(v: number): string {
  return String(Number(v.toPrecision(4)));
}
