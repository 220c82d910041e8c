import sharp from 'sharp';
import { request, startRetailWorld, type RetailWorld } from './retail-system';

const dimensions = { widthMm: 300, heightMm: 450, depthMm: 200, weightG: 1200 };

async function picture(width: number, height: number, format: 'png' | 'jpeg'): Promise<string> {
  const image = sharp({
    create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } },
  });
  return (await (format === 'png' ? image.png() : image.jpeg()).toBuffer()).toString('base64');
}

describe('warehouse products on real Postgres, Redis and Kafka', () => {
  let world: RetailWorld;

  beforeAll(async () => {
    world = await startRetailWorld();
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('given a product with a PNG, when it is put, then its metadata and two thumbnails are stored, and each image reads back', async () => {
    const data = await picture(1200, 800, 'png');
    const body = {
      name: 'Desk lamp',
      price: 4250,
      dimensions,
      image: { contentType: 'image/png', data },
    };
    const put = await request(world, 'PUT', '/products/lamp-1', body);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      sku: 'lamp-1',
      version: 1,
      image: { format: 'png', width: 1200, height: 800, bytes: Buffer.from(data, 'base64').length },
      thumbnails: {
        small: { format: 'webp', width: 128, height: 85 },
        large: { format: 'webp', width: 512, height: 341 },
      },
    });
    const again = await request(world, 'PUT', '/products/lamp-1', {
      ...body,
      name: 'Desk lamp, brass',
    });
    expect(again.body).toMatchObject({ version: 2, name: 'Desk lamp, brass' });
    const read = await request(world, 'GET', '/products/lamp-1');
    expect(read.body).toMatchObject({
      sku: 'lamp-1',
      name: 'Desk lamp, brass',
      price: 4250,
      dimensions,
      version: 2,
      image: put.body.image,
      thumbnails: put.body.thumbnails,
    });
    const small = await fetch(world.url('/products/lamp-1/images/small'));
    expect(small.headers.get('content-type')).toMatch(/^image\/webp/);
    const meta = await sharp(Buffer.from(await small.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 128, 85]);
    const original = await fetch(world.url('/products/lamp-1/images/original'));
    expect(Buffer.from(await original.arrayBuffer()).toString('base64')).toBe(data);
  });

  it('given a small JPEG, then its thumbnails are never enlarged', async () => {
    const put = await request(world, 'PUT', '/products/mini', {
      name: 'Mini',
      price: 100,
      dimensions,
      image: { contentType: 'image/jpeg', data: await picture(60, 40, 'jpeg') },
    });
    expect(put.status).toBe(200);
    expect(put.body.thumbnails).toMatchObject({
      small: { width: 60, height: 40 },
      large: { width: 60, height: 40 },
    });
  });

  it('given a corrupt, truncated or mislabelled image or a bad field, then 400 names it and nothing is stored', async () => {
    const png = await picture(300, 300, 'png');
    const truncated = Buffer.from(png, 'base64').subarray(0, 120).toString('base64');
    const base = { name: 'Broken', price: 1, dimensions };
    const cases = [
      {
        ...base,
        image: {
          contentType: 'image/png',
          data: Buffer.from('not an image at all').toString('base64'),
        },
      },
      {
        ...base,
        image: {
          contentType: 'image/png',
          data: truncated.slice(0, truncated.length - (truncated.length % 4)),
        },
      },
      { ...base, image: { contentType: 'image/jpeg', data: png } },
      { ...base, image: { contentType: 'image/gif', data: png } },
      { ...base, image: { contentType: 'image/png', data: '***' } },
      { ...base, name: '', image: { contentType: 'image/png', data: png } },
      {
        ...base,
        dimensions: { ...dimensions, weightG: 0 },
        image: { contentType: 'image/png', data: png },
      },
      { ...base, price: 1.5, image: { contentType: 'image/png', data: png } },
    ];
    const answers = [];
    for (const body of cases) answers.push(await request(world, 'PUT', '/products/broken', body));
    expect(answers.map((a) => a.status)).toEqual(cases.map(() => 400));
    expect(answers.map((a) => String(a.body.error).split(' ')[0])).toEqual([
      'image.data',
      'image.data',
      'image.data',
      'image.contentType',
      'image.data',
      'name',
      'dimensions.weightG',
      'price',
    ]);
    expect((await request(world, 'GET', '/products/broken')).status).toBe(404);
    expect((await request(world, 'GET', '/products/lamp-1/images/huge')).status).toBe(400);
    expect((await request(world, 'GET', '/products/nothing/images/small')).status).toBe(404);
  });
});
