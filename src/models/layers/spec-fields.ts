/**
 * Reading the fields of a layer's JSON description: an object with known
 * keys only, booleans, and [height, width] pairs of integers. The numeric
 * rules themselves come from src/core/validate.ts.
 */
import { NatgradError, childPath, describeValue } from '../../core/errors.js';
import { rejectUnknownKeys, requireIntegerInRange } from '../../core/validate.js';
import { type Shape, formatShape } from '../tensor.js';

/** A plain object with no keys outside `allowed` (`type` is always allowed). */
export function layerFields(raw: unknown, allowed: readonly string[], path: string, type: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new NatgradError(path, `must be a layer object such as {"type": "linear", "out": 3}, got ${describeValue(raw)}`);
  }
  rejectUnknownKeys(raw, ['type', ...allowed], path, `a ${type} layer`);
  return raw as Record<string, unknown>;
}

/** true or false, or `fallback` when absent. */
export function optionalBoolean(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new NatgradError(path, `must be true or false, got ${describeValue(value)}`);
  return value;
}

/** [a, b], two integers >= min, or `fallback` when absent. */
export function integerPair(value: unknown, path: string, min: number, fallback?: readonly [number, number]): [number, number] {
  if (value === undefined && fallback !== undefined) return [fallback[0], fallback[1]];
  const what = min > 0 ? 'positive integers' : `integers >= ${min}`;
  if (!Array.isArray(value) || value.length !== 2) {
    throw new NatgradError(path, `must be an array of two ${what} [height, width], got ${describeValue(value)}`);
  }
  return [requireIntegerInRange(value[0], childPath(path, 0), min), requireIntegerInRange(value[1], childPath(path, 1), min)];
}

/** Throws unless the layer's input has one of the ranks it takes. */
export function requireRank(inputShape: Shape, ranks: readonly number[], path: string, type: string, meaning: string): void {
  if (!ranks.includes(inputShape.length)) {
    throw new NatgradError(path, `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} layer takes ${meaning}, got an input of shape ${formatShape(inputShape)}`);
  }
}
