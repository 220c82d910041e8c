import sharp from 'sharp';
import { badInput } from '@eventline/kit';
import type { ImageFacts, ImageFormat, ImageSize } from './domain/product';

/** The longest side of each thumbnail, in pixels. */
export const THUMBNAIL_SIDES = { small: 128, large: 512 } as const;
/** A decompression bomb (a small file of a huge picture) is refused before it is decoded. */
const MAX_PIXELS = 40_000_000;

export interface ProcessedImage {
  size: ImageSize;
  facts: ImageFacts;
  data: Buffer;
}

/**
 * Reads the image (refusing one that is not what its content type says, or cannot be decoded
 * whole) and renders its thumbnails as WebP, each within its side, never enlarged.
 */
export async function processImage(format: ImageFormat, data: Buffer): Promise<ProcessedImage[]> {
  let metadata: sharp.Metadata;
  try {
    metadata = await sharp(data, { failOn: 'error', limitInputPixels: MAX_PIXELS }).metadata();
  } catch {
    throw badInput(`image.data is not a readable ${format} image`);
  }
  if (metadata.format !== format)
    throw badInput(
      `image.data is ${metadata.format ?? 'not an image'}, not the ${format} image.contentType names`,
    );
  const original: ProcessedImage = {
    size: 'original',
    facts: { format, width: metadata.width, height: metadata.height, bytes: data.length },
    data,
  };
  const thumbnails: ProcessedImage[] = [];
  for (const size of ['small', 'large'] as const) {
    try {
      const side = THUMBNAIL_SIDES[size];
      const { data: thumbnail, info } = await sharp(data, {
        failOn: 'error',
        limitInputPixels: MAX_PIXELS,
      })
        .rotate()
        .resize(side, side, { fit: 'inside', withoutEnlargement: true })
        .webp()
        .toBuffer({ resolveWithObject: true });
      thumbnails.push({
        size,
        facts: { format: 'webp', width: info.width, height: info.height, bytes: thumbnail.length },
        data: thumbnail,
      });
    } catch {
      // The header read, the pixels did not: a truncated or corrupt file.
      throw badInput(`image.data is not a readable ${format} image`);
    }
  }
  return [original, ...thumbnails];
}
