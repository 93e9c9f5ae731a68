import { describe, expect, test } from 'vitest';
import { verifyTimesPath } from '../../src/cli/verify-command.js';
import { longestFirst, parseTimes, staticEstimate, timesFile } from '../../src/verify/schedule.js';

const c = (id: string, kind: 'proof' | 'property' = 'property') => ({ id, kind });

describe('longest-first dispatch', () => {
  test('recorded times order the checks, longest first, ties in registry order', () => {
    const checks = [c('a'), c('b'), c('c'), c('d')];
    const times = new Map([
      ['a', 10],
      ['b', 500],
      ['c', 10],
      ['d', 90],
    ]);
    expect(longestFirst(checks, times).map((x) => x.id)).toEqual(['b', 'd', 'a', 'c']);
  });

  test('without recorded times the static estimate puts the routes first, then the multivariate Monte Carlo', () => {
    const checks = [
      c('fisher/poisson/rate/positive-definite'),
      c('fisher/poisson/rate/monte-carlo'),
      c('fisher/multivariate-normal/mean-cov/d=5/monte-carlo'),
      c('fisher/normal/mean-std/routes', 'proof'),
    ];
    expect(longestFirst(checks).map((x) => x.id)).toEqual([
      'fisher/normal/mean-std/routes',
      'fisher/multivariate-normal/mean-cov/d=5/monte-carlo',
      'fisher/poisson/rate/monte-carlo',
      'fisher/poisson/rate/positive-definite',
    ]);
    expect(staticEstimate(c('x/positive-definite'))).toBeLessThan(staticEstimate(c('x/exact')));
  });

  test('a recorded time overrides the static estimate', () => {
    const checks = [c('fisher/multivariate-normal/mean-cov/d=5/monte-carlo'), c('fisher/poisson/rate/positive-definite')];
    expect(longestFirst(checks, new Map([['fisher/poisson/rate/positive-definite', 1e6]]))[0].id).toBe('fisher/poisson/rate/positive-definite');
  });
});

describe('the times file', () => {
  test('round trip: this run updates its checks and keeps the others', () => {
    const previous = parseTimes('{"a": 5, "b": 7}');
    const text = timesFile(previous, [
      { id: 'b', millis: 12.4 },
      { id: 'c', millis: 3 },
    ]);
    expect(Object.fromEntries(parseTimes(text))).toEqual({ a: 5, b: 12, c: 3 });
  });

  test('a missing or damaged file is no information, never an error', () => {
    expect(parseTimes(null).size).toBe(0);
    expect(parseTimes('{not json').size).toBe(0);
    expect(parseTimes('[1,2]').size).toBe(0);
    expect(Object.fromEntries(parseTimes('{"a": "slow", "b": -1, "c": 4}'))).toEqual({ c: 4 });
  });

  test('its place: NATGRAD_CACHE_DIR, else XDG_CACHE_HOME/natgrad, else ~/.cache/natgrad', () => {
    expect(verifyTimesPath({ NATGRAD_CACHE_DIR: '/tmp/x' })).toBe('/tmp/x/verify-times.json');
    expect(verifyTimesPath({ XDG_CACHE_HOME: '/c' })).toBe('/c/natgrad/verify-times.json');
    expect(verifyTimesPath({})).toMatch(/\.cache\/natgrad\/verify-times\.json$/);
  });
});
