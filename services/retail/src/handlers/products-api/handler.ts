import { ProductUpserted } from '@eventline/events';
import { badInput, defineEdge, notFound, outgoing } from '@eventline/kit';
import { retailConfig } from '../../config';
import { IMAGE_SIZES, parseProduct, type ImageSize } from '../../domain/product';
import { processImage } from '../../image-processing';
import { upsertProductDecider } from './decider';

const CONTENT_TYPES = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;

const PRODUCT_COLUMNS = `p.sku, p.name, p.price::float8 AS price, p.dimensions, p.version,
  to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "upsertedAt"`;

/**
 * Warehouse products over HTTP: PUT /products/:sku validates the product and its image (no state
 * read), renders the thumbnails with sharp, then stores product and images in one transaction
 * with ProductUpserted; GET reads them back.
 */
export const productsApi = defineEdge({
  name: 'products-api',
  emits: [ProductUpserted],
  routes(router, { transact, pool }) {
    const { PRODUCT_IMAGE_MAX_BYTES } = retailConfig();

    router.put('/products/:sku', async (req, res) => {
      const request = parseProduct(req.params.sku, req.body, PRODUCT_IMAGE_MAX_BYTES);
      if ('error' in request) throw badInput(request.error);
      const images = await processImage(request.image.format, request.image.data);
      const facts = Object.fromEntries(images.map((i) => [i.size, i.facts]));
      const upserted = await transact(
        async (tx) => {
          const { rows } = await tx.query<{ version: number }>(
            'SELECT version FROM retail.products WHERE sku = $1 FOR UPDATE',
            [request.sku],
          );
          const [event] = upsertProductDecider.decide(
            {
              type: 'UpsertProduct',
              data: {
                sku: request.sku,
                name: request.name,
                price: request.price,
                dimensions: request.dimensions,
                image: facts.original!,
                thumbnails: { small: facts.small!, large: facts.large! },
                at: new Date().toISOString(),
              },
            },
            { version: rows[0]?.version ?? 0 },
          );
          const product = event.data;
          await tx.query(
            `INSERT INTO retail.products (sku, name, price, dimensions, version, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (sku) DO UPDATE SET name = $2, price = $3, dimensions = $4, version = $5, updated_at = $6`,
            [
              product.sku,
              product.name,
              product.price,
              JSON.stringify(product.dimensions),
              product.version,
              product.upsertedAt,
            ],
          );
          await tx.query(
            `INSERT INTO retail.product_images (sku, size, format, width, height, bytes, data)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::bytea[])
             ON CONFLICT (sku, size) DO UPDATE SET format = EXCLUDED.format, width = EXCLUDED.width,
               height = EXCLUDED.height, bytes = EXCLUDED.bytes, data = EXCLUDED.data`,
            [
              product.sku,
              images.map((i) => i.size),
              images.map((i) => i.facts.format),
              images.map((i) => i.facts.width),
              images.map((i) => i.facts.height),
              images.map((i) => i.facts.bytes),
              images.map((i) => i.data),
            ],
          );
          return {
            result: product,
            emit: [outgoing(ProductUpserted, product, { partitionkey: product.sku })],
          };
        },
        { idempotencyKey: { req } },
      );
      res.json(upserted);
    });

    router.get('/products/:sku', async (req, res) => {
      const { rows } = await pool.query(
        `SELECT ${PRODUCT_COLUMNS},
                (SELECT json_object_agg(size, json_build_object('format', format, 'width', width,
                   'height', height, 'bytes', bytes))
                   FROM retail.product_images i WHERE i.sku = p.sku) AS images
           FROM retail.products p WHERE p.sku = $1`,
        [req.params.sku],
      );
      const row = rows[0] as
        (Record<string, unknown> & { images: Record<string, unknown> }) | undefined;
      if (!row) throw notFound(`no product ${req.params.sku}`);
      const { images, ...product } = row;
      res.json({
        ...product,
        image: images.original,
        thumbnails: { small: images.small, large: images.large },
      });
    });

    router.get('/products/:sku/images/:size', async (req, res) => {
      const size = req.params.size as ImageSize;
      if (!IMAGE_SIZES.includes(size))
        throw badInput(`size must be one of ${IMAGE_SIZES.join(', ')}`);
      const { rows } = await pool.query<{ format: keyof typeof CONTENT_TYPES; data: Buffer }>(
        'SELECT format, data FROM retail.product_images WHERE sku = $1 AND size = $2',
        [req.params.sku, size],
      );
      const image = rows[0];
      if (!image) throw notFound(`no ${size} image of product ${req.params.sku}`);
      res.type(CONTENT_TYPES[image.format]).send(image.data);
    });
  },
});
