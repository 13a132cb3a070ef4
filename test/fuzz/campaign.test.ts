import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { stringify as yaml } from 'yaml';
import { parseCampaignFile } from '../../client';
import { planCampaign } from '../../client/campaign/campaign-plan';
import { examplesDir, fuzz, fuzzSetup, mutatedJson, mutatedText, outcomeOf, type Outcome } from '../helpers/fuzz';

/**
 * Campaign files — JSON, YAML and JSONL — as generated values and as the shipped examples mutated, through the
 * typed client's start with nothing behind it: each input is started (it reaches the unconnected client) or refused
 * with an InputError naming a field or a line; then a started one is planned too, which must not crash either.
 */

const seeds = ['product-hero.json', 'documentary-broll.json'].map(
  (file) => JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as object,
);
const { api, dir } = fuzzSetup('campaign');
fs.cpSync(path.join(examplesDir, 'assets'), path.join(dir, 'assets'), { recursive: true });
let written = 0;

function file(extension: string, text: string): string {
  const target = path.join(dir, `c${written++ % 50}${extension}`);
  fs.writeFileSync(target, text);
  return target;
}

/** Start it; if the client took it (it reached the network), plan it as the start would next. */
async function startThenPlan(start: () => Promise<unknown>, parsed: () => Parameters<typeof planCampaign>[0]): Promise<Outcome> {
  const started = await outcomeOf(start);
  if (started.kind === 'refused') return started;
  return outcomeOf(() => planCampaign(parsed(), { s3: api.options.s3, defaultBucket: 'fuzz', defaultPrefix: '', baseDir: dir }));
}

test('campaign JSON and YAML, generated and mutated from the examples: started or refused with a named field', async () => {
  const asObject = fc.oneof(...seeds.map(mutatedJson), fc.jsonValue({ maxDepth: 4 }));
  const asText = fc.oneof(
    ...seeds.map((seed) => mutatedText(JSON.stringify(seed, null, 2)).map((text) => ({ extension: '.json', text }))),
    ...seeds.map((seed) => mutatedText(yaml(seed)).map((text) => ({ extension: '.yaml', text }))),
    asObject.map((value) => ({ extension: '.yaml', text: yaml(value) })),
  );
  const input = fc.oneof(
    asObject.map((value) => ({ value })),
    asText.map((text) => ({ text })),
  );
  const tally = await fuzz(input, (one) =>
    'value' in one
      ? startThenPlan(
          () => api.campaigns.start(one.value as never, dir),
          () => parseCampaignFile(one.value),
        )
      : outcomeOf(() => api.campaigns.start(file(one.text.extension, one.text.text))),
  );
  expect(tally.refused).toBeGreaterThan(0);
  expect(tally.accepted).toBeGreaterThan(0);
}, 60_000);

test('campaign JSONL, the example as header and rows, mutated line by line: started or refused naming the line', async () => {
  const jsonl = seeds.map((seed) => {
    const { variants, ...header } = seed as { variants: unknown[] };
    return [JSON.stringify(header), ...variants.map((variant) => JSON.stringify(variant))].join('\n');
  });
  const input = fc.oneof(
    ...jsonl.map(mutatedText),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }).map((rows) => rows.map((row) => JSON.stringify(row)).join('\n')),
  );
  const tally = await fuzz(input, (text) => outcomeOf(() => api.campaigns.start(file('.jsonl', text))));
  expect(tally.refused).toBeGreaterThan(0);
  expect(tally.accepted).toBeGreaterThan(0);
}, 60_000);
