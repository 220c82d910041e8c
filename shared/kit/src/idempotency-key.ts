import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { claimIdempotencyKey, type Transaction } from '@eventline/store';
import { badInput, unprocessable } from './errors';

const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
const MAX_KEY_LENGTH = 200;

/** How an edge route declares that its transaction runs once per Idempotency-Key. */
export interface IdempotencyKeyOptions {
  /** the request whose Idempotency-Key header names the claim; without the header, no claim */
  req: Request;
  /**
   * What makes two requests with one key the same request (any JSON value, compared with its
   * object keys sorted); the JSON body when absent. The method and URL always count.
   */
  fingerprint?: unknown;
}

/** A request that carries an Idempotency-Key: the key and the digest of what it asks. */
export interface KeyedRequest {
  key: string;
  digest: string;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return Object.fromEntries(entries.map(([name, field]) => [name, canonical(field)]));
  }
  return value;
}

/**
 * The digest a key's claim records: sha256 over `[method, URL, fingerprint]` as JSON. Data
 * migrated from another mechanism must be hashed the same way to keep its keys working.
 */
export function requestDigest(method: string, url: string, fingerprint: unknown): string {
  const text = JSON.stringify([method, url, canonical(fingerprint)]);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The request's key and digest, undefined without the header; a key out of bounds is bad input. */
export function keyedRequest(options: IdempotencyKeyOptions): KeyedRequest | undefined {
  const { req } = options;
  const key = req.get(IDEMPOTENCY_KEY_HEADER);
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > MAX_KEY_LENGTH)
    throw badInput(`${IDEMPOTENCY_KEY_HEADER} must be 1-${MAX_KEY_LENGTH} characters`);
  const fingerprint = 'fingerprint' in options ? options.fingerprint : req.body;
  return { key, digest: requestDigest(req.method, req.originalUrl, fingerprint) };
}

/**
 * Claims the key in the transaction. The first use does the work (and its commit stores the
 * answer); a repeat of the same request gets the stored answer; the key with another request is
 * refused for good.
 */
export async function claimKey<T>(
  tx: Transaction,
  consumer: string,
  keyed: KeyedRequest,
): Promise<{ repeat: false } | { repeat: true; answer: T }> {
  const claim = await claimIdempotencyKey<T>(tx, consumer, keyed.key, keyed.digest);
  if (claim.firstUse) return { repeat: false };
  if (claim.request !== keyed.digest)
    throw unprocessable(
      `${IDEMPOTENCY_KEY_HEADER} ${keyed.key} was already used for another request`,
    );
  return { repeat: true, answer: claim.answer };
}
