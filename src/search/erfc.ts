/**
 * The Chebyshev fit of the complementary error function from Numerical Recipes (`erfcc`, fractional error
 * below 1.2e-7 everywhere). Its exp(-x² + poly(t)) form keeps logs finite far into the tail, which the TPE
 * kernels and CMA-ES's integer margin both rely on.
 */

/** The fit's polynomial in t = 1 / (1 + |x|/2). */
export function erfcPoly(t: number): number {
  return (
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
  );
}

/** erfc(x) for any real x. */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z + erfcPoly(t));
  return x >= 0 ? r : 2 - r;
}
