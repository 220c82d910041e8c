import { MAX_UNIT_PRICE } from '@eventline/events';
import { SKU } from './cart';

/** The image types a product may carry, by the content type a client names. */
export const IMAGE_TYPES = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
} as const;
export type ImageFormat = (typeof IMAGE_TYPES)[keyof typeof IMAGE_TYPES];
export const IMAGE_SIZES = ['original', 'small', 'large'] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];
const MAX_DIMENSION = 100_000;
const MAX_WEIGHT = 10_000_000;

export interface Dimensions {
  widthMm: number;
  heightMm: number;
  depthMm: number;
  weightG: number;
}

export interface ImageFacts {
  format: ImageFormat;
  width: number;
  height: number;
  bytes: number;
}

/** A PUT /products/:sku request, validated, its image decoded but not yet read. */
export interface ProductRequest {
  sku: string;
  name: string;
  price: number;
  dimensions: Dimensions;
  image: { format: ImageFormat; data: Buffer };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Validates a PUT /products/:sku body (stateless: nothing is read); returns the request or why
 * it is refused. The image comes as base64 JSON, `maxImageBytes` at most once decoded.
 */
export function parseProduct(
  sku: string,
  body: unknown,
  maxImageBytes: number,
): ProductRequest | { error: string } {
  if (!SKU.test(sku)) return { error: 'sku must be 1-64 letters, digits, ".", "_" or "-"' };
  if (!isObject(body))
    return { error: 'body must be a JSON object with name, price, dimensions and image' };
  const { name, price, dimensions, image, ...rest } = body;
  if (
    typeof name !== 'string' ||
    name.trim().length === 0 ||
    [...name].length > 200 ||
    /\p{Cc}/u.test(name)
  )
    return { error: 'name must be 1-200 characters, none of them a control character' };
  if (!Number.isInteger(price) || (price as number) < 0 || (price as number) > MAX_UNIT_PRICE)
    return { error: `price must be an integer from 0 to ${MAX_UNIT_PRICE} (cents)` };
  if (!isObject(dimensions))
    return { error: 'dimensions must be an object of widthMm, heightMm, depthMm and weightG' };
  const parsed: Partial<Dimensions> = {};
  for (const field of ['widthMm', 'heightMm', 'depthMm', 'weightG'] as const) {
    const value = dimensions[field];
    const max = field === 'weightG' ? MAX_WEIGHT : MAX_DIMENSION;
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max)
      return { error: `dimensions.${field} must be an integer from 1 to ${max}` };
    parsed[field] = value as number;
  }
  const extraDimensions = Object.keys(dimensions).filter((k) => !(k in parsed));
  if (extraDimensions.length > 0)
    return { error: `unexpected field "dimensions.${extraDimensions[0]}"` };
  if (!isObject(image)) return { error: 'image must be an object {contentType, data}' };
  const { contentType, data, ...imageRest } = image;
  const format = IMAGE_TYPES[contentType as keyof typeof IMAGE_TYPES];
  if (typeof contentType !== 'string' || !format)
    return { error: `image.contentType must be one of ${Object.keys(IMAGE_TYPES).join(', ')}` };
  if (typeof data !== 'string' || data.length === 0 || data.length % 4 !== 0 || !BASE64.test(data))
    return { error: 'image.data must be the image in base64' };
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > maxImageBytes)
    return { error: `image.data must decode to at most ${maxImageBytes} bytes` };
  if (Object.keys(imageRest).length > 0)
    return { error: `unexpected field "image.${Object.keys(imageRest)[0]}"` };
  const unexpected = Object.keys(rest);
  if (unexpected.length > 0) return { error: `unexpected field "${unexpected[0]}"` };
  return {
    sku,
    name,
    price: price as number,
    dimensions: parsed as Dimensions,
    image: { format, data: bytes },
  };
}
