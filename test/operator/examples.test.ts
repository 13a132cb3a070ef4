import fs from 'node:fs';
import path from 'node:path';
import { loadCampaignFile } from '../../client';
import { checkCampaignImages } from '../../client/campaign/campaign-plan';
import { MODEL_CATALOG, variantRequest } from '../../schemas';

const examplesDir = path.resolve(__dirname, '..', '..', 'examples');
const exampleFiles = fs.readdirSync(examplesDir).filter((name) => name.endsWith('.json'));

test('examples/ holds a product campaign and a documentary campaign', () => {
  expect(exampleFiles).toEqual(expect.arrayContaining(['product-hero.json', 'documentary-broll.json']));
});

test.each(exampleFiles)('examples/%s passes the campaign schema and its images exist', async (name) => {
  const { campaign, baseDir } = await loadCampaignFile(path.join(examplesDir, name));
  await expect(checkCampaignImages(campaign, baseDir)).resolves.toBeUndefined();
});

test('product-hero: 10 messaging variants of the hero image, gen4_turbo, 5 s, 16:9', async () => {
  const { campaign } = await loadCampaignFile(path.join(examplesDir, 'product-hero.json'));
  expect(campaign.variants).toHaveLength(10);
  for (const variant of campaign.variants) {
    expect(variant.promptText).toBeTruthy();
    expect(variantRequest(campaign, variant.id)).toMatchObject({
      model: 'gen4_turbo',
      promptImage: 'assets/hero-product.jpg',
      ratio: '1280:720',
      duration: 5,
    });
  }
});

test('documentary-broll: text-only B-roll prompts on a model with a text-to-video endpoint', async () => {
  const { campaign } = await loadCampaignFile(path.join(examplesDir, 'documentary-broll.json'));
  expect(campaign.variants.length).toBeGreaterThan(1);
  for (const variant of campaign.variants) {
    const request = variantRequest(campaign, variant.id);
    expect(request.promptImage).toBeUndefined();
    expect(MODEL_CATALOG[request.model].endpoints.text_to_video).toBeDefined();
    expect(request.promptText).toMatch(/documentary footage quality$/);
    expect(request.duration).toBe(5);
  }
});
