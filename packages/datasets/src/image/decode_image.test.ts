import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareBytes, FIXTURE_DIR, fixtureBytes, fixtureIndex } from '../testing_internal/synth_image.js';
import { decodeBmp } from './decode_bmp.js';
import { decodeImage, jpegComponents } from './decode_image.js';
import { ImageDecodeError } from './image_record.js';

describe('decodeImage (against Pillow convert("RGB") / convert("L"))', () => {
  const files = fixtureIndex().decode;
  it('has fixtures', () => expect(files.length).toBeGreaterThanOrEqual(8));
  for (const f of files) {
    it(`decodes ${f.file} (PIL mode ${f.mode}) like Pillow`, async () => {
      const mode = f.channels === 1 ? 'grey' : 'rgb';
      const img = await decodeImage(join(FIXTURE_DIR, f.file), { mode });
      expect([img.height, img.width, img.channels]).toEqual([f.height, f.width, f.channels]);
      expect(compareBytes(img.pixels, fixtureBytes(f.expected))).toEqual({ maxDiff: 0, differing: 0 });
    });
  }

  it("mode 'auto' keeps grey files grey and 'rgb' replicates them", async () => {
    const bytes = readFileSync(join(FIXTURE_DIR, 'decode/grey.png'));
    const auto = await decodeImage(bytes, { mode: 'auto' });
    const rgb = await decodeImage(bytes);
    expect(auto.channels).toBe(1);
    expect(rgb.channels).toBe(3);
    expect(rgb.pixels[30]).toBe(auto.pixels[10]);
    expect(rgb.pixels[31]).toBe(auto.pixels[10]);
    const bmp = decodeBmp(readFileSync(join(FIXTURE_DIR, 'decode/grey.bmp')), 'grey.bmp', true);
    expect(bmp.channels).toBe(1);
  });

  it('reads the JPEG component count from the SOF marker', () => {
    const read = (f: string) => jpegComponents(readFileSync(join(FIXTURE_DIR, 'decode', f)));
    expect([read('grey.jpg'), read('rgb.jpg'), read('cmyk.jpg'), read('rgb.png')]).toEqual([1, 3, 4, 0]);
  });

  it('names the file in errors', async () => {
    await expect(decodeImage(new Uint8Array([1, 2, 3, 4]), { source: 'bad.jpg' })).rejects.toThrow(
      /bad\.jpg: cannot decode image/,
    );
    await expect(decodeImage('/nonexistent/x.png')).rejects.toThrow(ImageDecodeError);
    const bmp = readFileSync(join(FIXTURE_DIR, 'decode/rgb.bmp')).subarray(0, 80);
    expect(() => decodeBmp(bmp, 'cut.bmp')).toThrow(/cut\.bmp: pixel data needs/);
  });
});
