import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findRoutingFile } from './routing';

describe('findRoutingFile', () => {
  let root: string;
  let chartFile: string;
  let below: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'routing-'));
    chartFile = path.join(root, 'charts/eventline/routing.yaml');
    mkdirSync(path.dirname(chartFile), { recursive: true });
    writeFileSync(chartFile, 'broker: {name: default}\nhandlers: {}\n');
    below = path.join(root, 'services/flags');
    mkdirSync(below, { recursive: true });
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('given no EVENTLINE_ROUTING, finds the chart file from the directory it runs in', () => {
    expect(findRoutingFile({}, root)).toBe(chartFile);
  });

  it('given no EVENTLINE_ROUTING, finds the chart file from a directory below it', () => {
    expect(findRoutingFile({}, below)).toBe(chartFile);
  });

  it('given EVENTLINE_ROUTING, uses that file, relative to the working directory', () => {
    const own = path.join(below, 'routing.yaml');
    writeFileSync(own, 'broker: {name: other}\nhandlers: {}\n');
    expect(findRoutingFile({ EVENTLINE_ROUTING: 'routing.yaml' }, below)).toBe(own);
  });

  it('given EVENTLINE_ROUTING naming no file, fails naming the variable', () => {
    expect(() => findRoutingFile({ EVENTLINE_ROUTING: 'nowhere.yaml' }, root)).toThrow(
      `EVENTLINE_ROUTING: no routing file at ${path.join(root, 'nowhere.yaml')}`,
    );
  });

  it('given neither, fails naming the variable', () => {
    rmSync(chartFile);
    expect(() => findRoutingFile({}, below)).toThrow(
      /^EVENTLINE_ROUTING: unset, and no charts\/eventline\/routing.yaml in .* or a directory above it$/,
    );
  });
});
