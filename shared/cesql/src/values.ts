/** The error kinds of CESQL v1 §3.3, spelled as the spec's TCK names them. */
export type CesqlErrorKind =
  | 'parse'
  | 'math'
  | 'cast'
  | 'missingAttribute'
  | 'missingFunction'
  | 'functionEvaluation'
  | 'generic';

export class CesqlError extends Error {
  constructor(
    readonly kind: CesqlErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'CesqlError';
  }
}

/** A value of one of the three primitive types: String, Integer (int32) or Boolean. */
export type CesqlValue = string | number | boolean;

export type CesqlType = 'String' | 'Integer' | 'Boolean';

/** A function parameter may take any type and cast it itself (INT, BOOL, STRING, IS_*). */
export type ParameterType = CesqlType | 'Any';

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

export const ZERO: Readonly<Record<CesqlType, CesqlValue>> = {
  String: '',
  Integer: 0,
  Boolean: false,
};

/** An error met while evaluating, kept as plain data: a filter that only tests pays no Error. */
export interface Fault {
  kind: CesqlErrorKind;
  message: string;
}

/**
 * The state of one evaluation. Evaluation is fail fast (§4.1, and what §1.2 asks of a filter):
 * the first error is kept, and every operator above it returns the zero value of its own type.
 */
export interface EvaluationState {
  error: Fault | undefined;
}

export function fail(state: EvaluationState, kind: CesqlErrorKind, message: string): void {
  state.error ??= { kind, message };
}

export function typeOf(value: CesqlValue): CesqlType {
  if (typeof value === 'string') return 'String';
  if (typeof value === 'number') return 'Integer';
  return 'Boolean';
}

const INTEGER_TEXT = /^[+-]?[0-9]+$/;

/** §3.7 casts. A failed cast records a CastError and yields the target's zero value. */
export function castToInteger(value: CesqlValue, state: EvaluationState): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (INTEGER_TEXT.test(value)) {
    const parsed = Number(value);
    if (parsed >= INT32_MIN && parsed <= INT32_MAX) return parsed | 0;
    fail(state, 'cast', `cannot cast "${value}" to Integer: outside the 32-bit range`);
    return 0;
  }
  fail(state, 'cast', `cannot cast "${value}" to Integer`);
  return 0;
}

export function castToBoolean(value: CesqlValue, state: EvaluationState): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  fail(state, 'cast', `cannot cast "${value}" to Boolean`);
  return false;
}

export function castToString(value: CesqlValue): string {
  if (typeof value === 'string') return value;
  return String(value);
}

export function cast(value: CesqlValue, target: ParameterType, state: EvaluationState): CesqlValue {
  switch (target) {
    case 'Integer':
      return castToInteger(value, state);
    case 'Boolean':
      return castToBoolean(value, state);
    case 'String':
      return castToString(value);
    case 'Any':
      return value;
  }
}

/**
 * An attribute's value as CESQL sees it (§3.2): Integer and Boolean values stay typed, anything
 * else, including numbers that are not 32-bit integers, is a String.
 */
export function attributeValue(raw: unknown): CesqlValue {
  if (typeof raw === 'string' || typeof raw === 'boolean') return raw;
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= INT32_MIN && raw <= INT32_MAX) {
    return raw;
  }
  if (raw instanceof Date) return raw.toISOString();
  return String(raw);
}
