/**
 * Optimizer hyperparameters on the command line of `train` and `compare`:
 *
 *   --option key=value          (repeatable) any option of the registry entry
 *   --option kfac:key=value     only for the named optimizer (compare)
 *   --option cg.maxIterations=20  a field of a group of options
 *   --lr x, --damping x         shortcuts for --option lr=x, --option damping=x
 *
 * The names allowed are the keys of the registry entry's documented defaults;
 * any other is refused with the closest name. A value takes the type of the
 * default it replaces: a decimal number, true/false, or a name (which the
 * optimizer itself checks against its choices). Unscoped options in compare
 * go to every listed optimizer that has the key, and must fit at least one.
 */
import { NatgradError } from '../core/errors.js';
import { closestName, hasOwn, requireOneOf } from '../core/validate.js';
import type { ExperimentProblem } from '../experiments/problems.js';
import { problemOptimizerOptions } from '../experiments/run.js';
import { optimizerEntry, type OptimizerOptions } from '../optim/registry.js';
import { parseDecimal } from './numbers.js';

export interface HyperparameterFlags {
  lr?: string;
  damping?: string;
  option?: readonly string[];
}

interface Assignment {
  /** the flag as the user wrote it, for messages: `--lr`, `--option damping` */
  flag: string;
  scope: string | null;
  key: string[];
  text: string;
}

const FORM = 'key=value (e.g. damping=0.01, cg.maxIterations=20), or optimizer:key=value';

function parseAssignment(raw: string): Assignment {
  const eq = raw.indexOf('=');
  if (eq <= 0) throw new NatgradError('--option', `must be ${FORM}, got '${raw}'`);
  const left = raw.slice(0, eq).trim();
  const colon = left.indexOf(':');
  const scope = colon >= 0 ? left.slice(0, colon) : null;
  const key = (colon >= 0 ? left.slice(colon + 1) : left).split('.');
  if (key.some((k) => k === '') || scope === '') throw new NatgradError('--option', `must be ${FORM}, got '${raw}'`);
  return { flag: `--option ${left}`, scope, key, text: raw.slice(eq + 1) };
}

const isGroup = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value of `text` typed after the default `like` it replaces. */
function typedValue(text: string, like: unknown, flag: string): unknown {
  if (typeof like === 'number') return parseDecimal(text, flag);
  if (typeof like === 'boolean') {
    if (text === 'true' || text === 'false') return text === 'true';
    throw new NatgradError(flag, `must be true or false, got '${text}'`);
  }
  if (text.trim() === '') throw new NatgradError(flag, 'must be a name, got an empty value');
  return text;
}

/** Whether the registry entry of `optimizer` documents the option `key` (with its group's field). */
function documents(optimizer: string, key: readonly string[]): boolean {
  const defaults = optimizerEntry(optimizer).defaults;
  if (!hasOwn(defaults, key[0])) return false;
  const top = defaults[key[0]];
  if (key.length === 1) return true; // a group named without a field is refused in apply()
  return key.length === 2 && isGroup(top) && hasOwn(top, key[1]);
}

/** The options as [name, value] pairs, a group's fields named `cg.maxIterations`. */
export function flatOptions(options: OptimizerOptions): [string, unknown][] {
  return Object.entries(options).flatMap(([k, v]): [string, unknown][] =>
    isGroup(v) ? Object.entries(v).map(([f, x]): [string, unknown] => [`${k}.${f}`, x]) : [[k, v]],
  );
}

// 1e-6 rather than 0.000001: the way small rates and dampings are written
const shown = (v: unknown): string => (typeof v === 'number' && v !== 0 && Math.abs(v) < 1e-2 ? v.toExponential() : String(v));

/** `lr=0.5 damping=1e-4`: options as they are typed on the command line. */
export function describeOptions(options: OptimizerOptions): string {
  return flatOptions(options)
    .map(([k, v]) => `${k}=${shown(v)}`)
    .join(' ');
}

/** Every documented option name of `optimizer`, groups as `cg.maxIterations`. */
export function optionNames(optimizer: string): string[] {
  return flatOptions(optimizerEntry(optimizer).defaults).map(([k]) => k);
}

function unknownOption(a: Assignment, optimizers: readonly string[]): NatgradError {
  const name = a.key.join('.');
  const names = [...new Set(optimizers.flatMap(optionNames))];
  const close = closestName(name, names);
  const whose = optimizers.length === 1 ? `${optimizers[0]}'s options` : `the options of ${optimizers.join(', ')}`;
  return new NatgradError(a.flag, `'${name}' is not one of ${whose} (allowed: ${names.join(', ')})${close ? `; did you mean ${close}?` : ''}`);
}

/** Sets `a` into `into` (the user's overrides of `optimizer`, only what was set), typed after the effective default. */
function apply(a: Assignment, optimizer: string, effective: OptimizerOptions, into: OptimizerOptions): void {
  const [top, field] = a.key;
  const current = effective[top];
  if (field === undefined) {
    if (isGroup(current))
      throw new NatgradError(
        a.flag,
        `is a group of options: set one of ${Object.keys(current)
          .map((f) => `${top}.${f}`)
          .join(', ')}`,
      );
    if (hasOwn(into, top)) throw new NatgradError(a.flag, `sets ${top} of ${optimizer} a second time`);
    into[top] = typedValue(a.text, current, a.flag);
    return;
  }
  const group = isGroup(into[top]) ? (into[top] as Record<string, unknown>) : {};
  if (hasOwn(group, field)) throw new NatgradError(a.flag, `sets ${top}.${field} of ${optimizer} a second time`);
  group[field] = typedValue(a.text, (current as Record<string, unknown>)[field], a.flag);
  into[top] = group;
}

/** `effective` with `overrides` laid over it, a group field by field. */
export function withOverrides(effective: OptimizerOptions, overrides: OptimizerOptions): OptimizerOptions {
  const out: OptimizerOptions = { ...effective };
  for (const [k, v] of Object.entries(overrides)) out[k] = isGroup(v) && isGroup(effective[k]) ? { ...effective[k], ...v } : v;
  return out;
}

/**
 * The user's option overrides of each of `optimizers` on `problem` (only what
 * was set; lay them over the effective options with withOverrides), checked
 * against the registry and by building each optimizer once, so a bad value is
 * refused before any run starts.
 */
export function optimizerOverrides(flags: HyperparameterFlags, optimizers: readonly string[], problem: ExperimentProblem): Map<string, OptimizerOptions> {
  const assignments: Assignment[] = [];
  if (flags.lr !== undefined) assignments.push({ flag: '--lr', scope: null, key: ['lr'], text: flags.lr });
  if (flags.damping !== undefined) assignments.push({ flag: '--damping', scope: null, key: ['damping'], text: flags.damping });
  for (const raw of flags.option ?? []) assignments.push(parseAssignment(raw));

  const out = new Map<string, OptimizerOptions>(optimizers.map((o) => [o, {}]));
  const setBy = new Map<string, Map<string, string>>(optimizers.map((o) => [o, new Map()]));
  for (const a of assignments) {
    if (a.scope !== null) requireOneOf(a.scope, optimizers, `${a.flag} (the optimizer before ':')`);
    const targets = a.scope !== null ? [a.scope] : optimizers.filter((o) => documents(o, a.key));
    if (targets.length === 0 || (a.scope !== null && !documents(a.scope, a.key))) throw unknownOption(a, a.scope !== null ? [a.scope] : optimizers);
    for (const o of targets) {
      apply(a, o, problemOptimizerOptions(problem, o), out.get(o)!);
      setBy.get(o)!.set(a.key[0], a.flag);
    }
  }
  for (const o of optimizers) {
    const overrides = out.get(o)!;
    if (Object.keys(overrides).length === 0) continue;
    try {
      optimizerEntry(o).create(withOverrides(problemOptimizerOptions(problem, o), overrides));
    } catch (e) {
      if (!(e instanceof NatgradError)) throw e;
      const top = e.path.split('.')[0];
      throw new NatgradError(setBy.get(o)!.get(top) ?? `${o} options`, `${e.reason} (for ${o})`);
    }
  }
  return out;
}
