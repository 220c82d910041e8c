/**
 * The sum of a Prometheus series over every label set that has `labels` (all of them when
 * none), from a /metrics page in the text format; 0 when the series is absent.
 */
export function seriesSum(page: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  let sum = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const labelText = rest[0] === '{' ? rest.slice(1, rest.indexOf('}')) : '';
    if (!wanted.every((pair) => labelText.split(',').includes(pair))) continue;
    sum += Number(rest.slice(rest.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** `seriesSum` of the page at `url`; 0 when it cannot be read (a process that just died). */
export async function scrapedSum(
  url: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return response.ok ? seriesSum(await response.text(), name, labels) : 0;
  } catch {
    return 0;
  }
}
