/**
 * The standard normal functions the acquisitions need, written to stay finite and accurate far into the tails:
 * expected improvement is used as log-EI (Ament et al., "Unexpected Improvements to Expected Improvement for
 * Bayesian Optimization", 2023), because plain EI underflows to exactly 0 a few standard deviations from the
 * incumbent and then gives the acquisition optimiser a flat landscape with no gradient.
 */

const sqrtPi = Math.sqrt(Math.PI);
const sqrtHalfPi = Math.sqrt(Math.PI / 2);
const logSqrt2Pi = 0.5 * Math.log(2 * Math.PI);

/**
 * The scaled complementary error function exp(x²)·erfc(x) for x ≥ 0, relative error below 1e-13.
 * A positive-term series of erf for small x, else the Laplace continued fraction evaluated backwards
 * (term counts checked against SciPy's `erfcx`).
 */
export function erfcx(x: number): number {
  if (x < 1.5) {
    // erf(x) = 2/√π · e^(-x²) · Σ 2ⁿ x^(2n+1) / (2n+1)!!, so erfcx(x) = e^(x²) − 2/√π · Σ(...): no alternating signs.
    let term = x;
    let sum = x;
    const twoX2 = 2 * x * x;
    for (let n = 1; n < 100 && term > sum * 1e-17; n++) {
      term *= twoX2 / (2 * n + 1);
      sum += term;
    }
    return Math.exp(x * x) - (2 / sqrtPi) * sum;
  }
  const terms = x < 2.5 ? 100 : x < 5 ? 40 : 20;
  let t = x;
  for (let k = terms; k >= 1; k--) t = x + k / 2 / t;
  return 1 / (sqrtPi * t);
}

/** The standard normal density φ(z). */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z - logSqrt2Pi);
}

/** The standard normal distribution function Φ(z), accurate in relative terms for z ≪ 0. */
export function normalCdf(z: number): number {
  if (z < 0) return 0.5 * erfcx(-z / Math.SQRT2) * Math.exp(-0.5 * z * z);
  return 1 - 0.5 * erfcx(z / Math.SQRT2) * Math.exp(-0.5 * z * z);
}

/** log Φ(z), finite for every finite z (≈ −z²/2 − log(−z√(2π)) far in the lower tail). */
export function logNormalCdf(z: number): number {
  if (z < 0) return Math.log(0.5 * erfcx(-z / Math.SQRT2)) - 0.5 * z * z;
  return Math.log1p(-0.5 * erfcx(z / Math.SQRT2) * Math.exp(-0.5 * z * z));
}

/** φ(z)/Φ(z), the derivative of log Φ(z); tends to −z in the lower tail. */
export function inverseMillsRatio(z: number): number {
  if (z < 0) return 1 / (sqrtHalfPi * erfcx(-z / Math.SQRT2));
  return normalPdf(z) / normalCdf(z);
}

/** Beyond this many standard deviations below the incumbent, log h uses its asymptotic series. */
const tail = 30;

/**
 * h(z) / φ(z) = 1 + z·Φ(z)/φ(z) for z ≤ -1, where h(z) = φ(z) + zΦ(z) is EI at unit σ. The two terms cancel
 * to about 1/z², so the Mills ratio must be accurate (erfcx) and the far tail uses the series
 * (1/z²)(1 − 3/z² + 15/z⁴ − 105/z⁶ + 945/z⁸).
 */
function lowerTailRatio(z: number): { hOverPdf: number; cdfOverPdf: number } {
  if (z > -tail) {
    const mills = sqrtHalfPi * erfcx(-z / Math.SQRT2);
    return { hOverPdf: 1 + z * mills, cdfOverPdf: mills };
  }
  const w = 1 / (z * z);
  const hOverPdf = w * (1 + w * (-3 + w * (15 + w * (-105 + w * 945))));
  const cdfOverPdf = (1 / -z) * (1 + w * (-1 + w * (3 + w * (-15 + w * 105))));
  return { hOverPdf, cdfOverPdf };
}

/** log h(z) with h(z) = φ(z) + zΦ(z), so that log EI = log σ + log h((best − μ)/σ); finite for every finite z. */
export function logH(z: number): number {
  if (z > -1) return Math.log(normalPdf(z) + z * normalCdf(z));
  return -0.5 * z * z - logSqrt2Pi + Math.log(lowerTailRatio(z).hOverPdf);
}

/** d log h / dz = Φ(z)/h(z), computed without forming the vanishing h in the lower tail. */
export function dLogH(z: number): number {
  if (z > -1) return normalCdf(z) / (normalPdf(z) + z * normalCdf(z));
  const r = lowerTailRatio(z);
  return r.cdfOverPdf / r.hOverPdf;
}
