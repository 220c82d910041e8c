// The CESQL v1 conformance cases (cloudevents/spec cesql/cesql_tck) run against @eventline/cesql,
// every case of every file. They come from the Go module proxy as github.com/cloudevents/sdk-go
// /sql/v2 ships them (scripts/cesql-tck/download.sh pins the version Knative Eventing 1.22 uses):
// the spec's files, with its one case that predates v1's Integer -> Boolean cast (`NOT 10`)
// brought in line with §3.7.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CesqlError, compile, type CesqlErrorKind, type CesqlValue } from '@eventline/cesql';
import { repositoryRoot } from '../support/repository';

interface TckCase {
  name: string;
  expression: string;
  result?: CesqlValue;
  error?: CesqlErrorKind;
  event?: Record<string, unknown>;
  eventOverrides?: Record<string, unknown>;
}

interface TckFile {
  name: string;
  tests: TckCase[];
}

const tckDir = execFileSync(
  'bash',
  [path.join(repositoryRoot(), 'scripts/cesql-tck/download.sh')],
  {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 5 * 60 * 1000,
  },
)
  .trim()
  .split('\n')
  .pop() as string;

const files = readdirSync(tckDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => parse(readFileSync(path.join(tckDir, f), 'utf8')) as TckFile);

/** "Any valid event" (the TCK's README) where a case gives none: the required attributes only. */
const DEFAULT_EVENT = { specversion: '1.0', id: 'tck-id', source: '/tck', type: 'tck.type' };

function parseFailure(expression: string): CesqlError | undefined {
  try {
    compile(expression);
    return undefined;
  } catch (error) {
    if (error instanceof CesqlError) return error;
    throw error;
  }
}

describe('CESQL v1 TCK', () => {
  it('has every file of the spec TCK', () => {
    expect(files.map((f) => f.name)).toHaveLength(18);
    expect(files.flatMap((f) => f.tests).length).toBeGreaterThan(250);
  });

  describe.each(files.map((f) => [f.name, f] as const))('%s', (_name, file) => {
    it.each(file.tests.map((c) => [c.name, c] as const))('%s', (_case, tc) => {
      if (tc.error === 'parse') {
        expect(parseFailure(String(tc.expression))?.kind).toBe('parse');
        return;
      }
      const event = { ...(tc.event ?? DEFAULT_EVENT), ...tc.eventOverrides };
      const { value, error } = compile(String(tc.expression)).evaluate(event);
      expect({ value, error: error?.kind }).toEqual({ value: tc.result, error: tc.error });
    });
  });
});
