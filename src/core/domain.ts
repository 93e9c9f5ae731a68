/**
 * The set a scalar parameter lives in. Used to validate input, to draw random
 * points for numeric identity tests, and to build fast-check arbitraries.
 */
export type Domain =
  | { readonly kind: 'real' }
  | { readonly kind: 'positive' }
  | { readonly kind: 'negative' }
  /** open interval (lo, hi) */
  | { readonly kind: 'interval'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'positive-integer' };

export const REAL: Domain = { kind: 'real' };
export const POSITIVE: Domain = { kind: 'positive' };
export const NEGATIVE: Domain = { kind: 'negative' };
export const UNIT_INTERVAL: Domain = { kind: 'interval', lo: 0, hi: 1 };
export const POSITIVE_INTEGER: Domain = { kind: 'positive-integer' };
export const interval = (lo: number, hi: number): Domain => ({ kind: 'interval', lo, hi });

/** Why `value` is outside `domain`, or null when it is inside. */
export function domainViolation(domain: Domain, value: number): string | null {
  if (!Number.isFinite(value)) return `must be a finite number, got ${value}`;
  switch (domain.kind) {
    case 'real':
      return null;
    case 'positive':
      return value > 0 ? null : `must be > 0, got ${value}`;
    case 'negative':
      return value < 0 ? null : `must be < 0, got ${value}`;
    case 'interval':
      return value > domain.lo && value < domain.hi ? null : `must be in the open interval (${domain.lo}, ${domain.hi}), got ${value}`;
    case 'positive-integer':
      return Number.isInteger(value) && value >= 1 ? null : `must be a positive integer, got ${value}`;
  }
}

export function describeDomain(domain: Domain): string {
  switch (domain.kind) {
    case 'real':
      return 'any real number';
    case 'positive':
      return 'a number > 0';
    case 'negative':
      return 'a number < 0';
    case 'interval':
      return `a number in (${domain.lo}, ${domain.hi})`;
    case 'positive-integer':
      return 'a positive integer';
  }
}

/**
 * A well-conditioned random point of the domain from a uniform u in [0, 1):
 * reals in [-2, 2], positives in [0.2, 5] (log-uniform), intervals kept away
 * from their ends, so that identity tests are not dominated by round-off.
 */
export function pointInDomain(domain: Domain, u: number): number {
  switch (domain.kind) {
    case 'real':
      return -2 + 4 * u;
    case 'positive':
      return Math.exp(Math.log(0.2) + u * Math.log(25));
    case 'negative':
      return -Math.exp(Math.log(0.2) + u * Math.log(25));
    case 'interval': {
      const w = domain.hi - domain.lo;
      return domain.lo + w * (0.05 + 0.9 * u);
    }
    case 'positive-integer':
      return 1 + Math.floor(u * 10);
  }
}
