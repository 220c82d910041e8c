/** How the CLI ends, for scripts: documented in `eventline --help` and the README. */
export const EXIT = {
  ok: 0,
  /** the system answered with an error (4xx other than 404, 5xx) */
  failed: 1,
  /** the command line was wrong */
  usage: 2,
  /** the thing asked for does not exist (404) */
  notFound: 3,
  /** no system answered at the URL */
  unreachable: 4,
} as const;

/** A failure the CLI reports in one line and ends with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export interface Answer<T> {
  status: number;
  body: T;
}

/** The system's public API (the gateway locally, the ingress in a cluster) at one base URL. */
export class SystemClient {
  readonly baseUrl: string;

  constructor(url: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CliError(`--url must be an http(s) URL, got "${url}"`, EXIT.usage);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new CliError(`--url must be an http(s) URL, got "${url}"`, EXIT.usage);
    this.baseUrl = parsed.href.replace(/\/$/, '');
  }

  /** Sends a request; any answer but a 2xx becomes a CliError naming the system's reason. */
  async request<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const response = await this.send(method, path, body);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text for the message below
    }
    if (response.status >= 200 && response.status <= 299)
      return { status: response.status, body: parsed as T };
    const reason =
      typeof parsed === 'object' && parsed !== null && 'error' in parsed
        ? String((parsed as { error: unknown }).error)
        : text.slice(0, 200);
    throw new CliError(
      `${method} ${path}: HTTP ${response.status}: ${reason}`,
      response.status === 404 ? EXIT.notFound : EXIT.failed,
    );
  }

  /** The raw response, for streams and for callers that time each request. */
  async send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `no system answered at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
        EXIT.unreachable,
      );
    }
  }
}
