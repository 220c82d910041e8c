import { unstorableProblem } from '@eventline/kit';

/**
 * Why a value cannot be stored as jsonb, naming where, or undefined when it can; and a value is
 * bounded so one execution's history stays readable in one read.
 */
export function storedJsonProblem(
  value: unknown,
  field: string,
  maxBytes: number,
): string | undefined {
  const unstorable = unstorableProblem(value, field);
  if (unstorable) return unstorable;
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null));
  if (bytes > maxBytes) return `${field} is ${bytes} bytes of JSON, more than ${maxBytes}`;
  return undefined;
}

/** The most a start's input or a task's output may be, as JSON. */
export const MAX_DATA_BYTES = 262_144;
