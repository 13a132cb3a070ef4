import fs from 'node:fs';
import path from 'node:path';
import nlp from 'compromise';
import { parseTranscript } from '../../client/broll/transcript';
import { LlmPromptWriter } from '../../client/prompts/llm-writer';
import { NlpPromptWriter, writeDeterministic } from '../../client/prompts/nlp-writer';
import type { NarrationUnit } from '../../client/prompts/prompt-writer';
import { documentaryShot, explainerVisual } from '../../client/prompts/shapes';
import { promptWriterFromEnv } from '../../client/prompts/writer-from-env';
import { MAX_PROMPT_TEXT_LENGTH, type WrittenPrompt } from '../../schemas';
import { startOpenAiFake, type OpenAiFake } from '../helpers/openai-fake';

const root = path.resolve(__dirname, '../..');
const STYLE = '1970s 16 mm film, muted colours, handheld, documentary footage quality';

function transcriptUnits(file: string): NarrationUnit[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const format = file.endsWith('.vtt') ? 'vtt' : 'srt';
  return parseTranscript(text, { format, name: path.basename(file), wordsPerSecond: 2.5 }).map((segment) => ({ text: segment.text }));
}

/** The explainer example's paragraphs, markdown emphasis dropped. */
function explainerUnits(): NarrationUnit[] {
  const text = fs.readFileSync(path.join(root, 'examples/explainer/why-the-sky-is-blue.md'), 'utf8');
  return text
    .split(/\n\s*\n/)
    .filter((block) => !block.startsWith('#'))
    .map((block) => ({ text: block.replace(/[*_]/g, '').replace(/\s+/g, ' ').trim() }))
    .filter((unit) => unit.text !== '');
}

/**
 * A shot in the guide's shape, checked with compromise itself: the subject is a noun phrase, and read as
 * a sentence ("<subject> is <action>.") compromise finds that subject and the action's first word in its
 * verb phrase: a subject doing something, never a list of words. The prompt says them in that order.
 */
function expectShot(prompt: WrittenPrompt, style: string) {
  const { parts, promptText } = prompt;
  const actionVerb = parts.action.split(' ')[0]!.toLowerCase();
  expect({ prompt: promptText, actionIsVerb: isVerbForm(actionVerb, parts.action) }).toEqual({ prompt: promptText, actionIsVerb: true });
  const sentence = nlp(`${parts.subject} ${parts.action.startsWith('being ') ? 'is' : 'was'} ${parts.action}.`);
  const parsed = (sentence.sentences().json() as Array<{ sentence: { subject: string } }>)[0]!.sentence;
  expect(parts.subject.toLowerCase()).toContain(parsed.subject.split(' ').at(-1)!);
  expect(promptText.startsWith(`${parts.subject} ${parts.action}`)).toBe(true);
  expect(promptText.endsWith(style)).toBe(true);
  expect(promptText.length).toBeLessThanOrEqual(MAX_PROMPT_TEXT_LENGTH);
}

/**
 * Whether compromise reads the action's first word as a verb: in a progressive sentence ("They were
 * reaching…"), or, where its lexicon prefers another reading of the word out of context ("reaching" as
 * an adjective), as the present participle it conjugates from that verb's infinitive.
 */
function isVerbForm(word: string, action: string): boolean {
  const verbs = nlp(`They were ${action}.`).verbs().out('array') as string[];
  if (verbs.some((verb) => verb.toLowerCase().split(' ').includes(word))) return true;
  if (!word.endsWith('ing')) return false;
  const stem = word.slice(0, -3);
  const candidates = [stem, `${stem}e`, stem.replace(/(.)\1$/, '$1')];
  return candidates.some((candidate) => {
    const doc = nlp(candidate);
    doc.tag('Verb');
    return (doc.verbs().conjugate()[0] as { Gerund?: string } | undefined)?.Gerund === word;
  });
}

describe('the deterministic writer', () => {
  test('the harbour-town example: every prompt a subject doing something somewhere, in the era aesthetic', async () => {
    const prompts = await new NlpPromptWriter().write({
      units: transcriptUnits('examples/broll/harbour-town.srt'),
      shape: documentaryShot,
      style: STYLE,
    });
    for (const prompt of prompts) {
      expect(prompt.writer).toBe('nlp');
      expectShot(prompt, STYLE);
    }
    // Read as an editor would: these are shots.
    expect(prompts.map((prompt) => prompt.promptText.slice(0, -STYLE.length - 2))).toEqual([
      'A fishing village of forty families clinging to a narrow harbour in 1890',
      'The herring fleet sailing past the lighthouse every dawn',
      'Women gutting and salting the herring in long wooden sheds in the 1890s',
      'The railway reaching Saltmarsh in 1902',
      'A gale tearing away half the breakwater in the winter of 1927',
      'Fishermen rebuilding the breakwater by hand from the quarry above the cliffs in the 1920s',
      'The fleet shrinking after the war',
      'The lighthouse turning over a quiet harbour each night',
    ]);
  });

  test('a transcript it was never tuned on (another topic and era, WebVTT): every prompt has a subject and an action', async () => {
    const units = transcriptUnits('test/fixtures/broll/dam-builders.vtt');
    const prompts = await new NlpPromptWriter().write({ units, shape: documentaryShot, style: 'grainy 1930s newsreel' });
    expect(prompts).toHaveLength(units.length);
    for (const prompt of prompts) expectShot(prompt, 'grainy 1930s newsreel, documentary footage quality');
  });

  test('the explainer example with the explainer shape: the same writer, another shape, no documentary words', async () => {
    const style = 'flat pastel illustration, soft light';
    const prompts = writeDeterministic({ units: explainerUnits(), shape: explainerVisual, style });
    expect(prompts.length).toBeGreaterThanOrEqual(3);
    for (const prompt of prompts) {
      expectShot(prompt, style);
      expect(prompt.promptText).not.toMatch(/documentary/);
    }
  });

  test('producer keywords steer the shot; the ones it does not show are featured; a style that says the quality is not repeated', () => {
    const [prompt] = writeDeterministic({
      units: [{ text: 'The keepers walked the lock every morning, testing the poles.', keywords: ['lock gates', 'barges'] }],
      shape: documentaryShot,
      style: STYLE,
    });
    expect(prompt!.parts.details).toBe('featuring lock gates and barges');
    expect(prompt!.promptText).toMatch(/^The keepers walking the lock.*, featuring lock gates and barges, 1970s 16 mm film/);
    expect(prompt!.promptText.match(/documentary footage quality/g)).toHaveLength(1);
  });

  test('pronouns take the noun phrase they stand for, across segments', () => {
    const prompts = writeDeterministic({
      units: [{ text: 'A storm wrecked the old pier in 1953.' }, { text: 'Volunteers rebuilt it within a year.' }],
      shape: documentaryShot,
      style: STYLE,
    });
    expect(prompts[1]!.parts).toMatchObject({ subject: 'Volunteers', action: 'rebuilding the old pier' });
  });

  test('a long narration is cut at a word so the style is never cut and the prompt fits Runway', () => {
    const long = `Fishermen hauled ${Array.from({ length: 120 }, (_, index) => `net${index}`).join(', ')} onto the quay.`;
    const [prompt] = writeDeterministic({ units: [{ text: long }], shape: documentaryShot, style: STYLE });
    expect(prompt!.promptText.length).toBeLessThanOrEqual(MAX_PROMPT_TEXT_LENGTH);
    expect(prompt!.promptText.endsWith(`, ${STYLE}`)).toBe(true);
  });
});

describe('the language-model writer against a local OpenAI-compatible endpoint', () => {
  let fake: OpenAiFake;
  const units: NarrationUnit[] = [
    { text: 'Every dawn the herring fleet sailed past the lighthouse.' },
    { text: 'Women gutted and salted the herring in long wooden sheds.', keywords: ['barrels'] },
  ];
  const writer = (options: { timeoutMs?: number } = {}) =>
    new LlmPromptWriter({ baseURL: fake.baseURL, apiKey: fake.apiKey, model: 'shot-writer-1', maxRetries: 0, ...options });
  const request = { units, shape: documentaryShot, style: STYLE };
  const deterministic = writeDeterministic(request);

  beforeAll(async () => {
    fake = await startOpenAiFake();
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  test("each unit's parts come from the model, composed in the shape; the plan records the writer and model", async () => {
    fake.respond('chat', (body) => {
      const narration = JSON.parse((body as { messages: Array<{ content: string }> }).messages[1]!.content).narration as string;
      return narration.startsWith('Every dawn')
        ? {
            kind: 'chat',
            content: JSON.stringify({ subject: 'A herring fleet', action: 'sailing out', setting: 'past a lighthouse at dawn' }),
          }
        : {
            kind: 'chat',
            content:
              '```json\n{"subject": "Women in aprons", "action": "salting herring into barrels", "setting": "in a long wooden shed"}\n```',
          };
    });
    const prompts = await writer().write(request);
    expect(prompts.map((prompt) => [prompt.writer, prompt.model, prompt.fallback])).toEqual([
      ['llm', 'shot-writer-1', undefined],
      ['llm', 'shot-writer-1', undefined],
    ]);
    expect(prompts[0]!.promptText).toBe(`A herring fleet sailing out past a lighthouse at dawn, ${STYLE}`);
    expect(prompts[1]!.promptText).toBe(`Women in aprons salting herring into barrels in a long wooden shed, ${STYLE}`);
    for (const prompt of prompts) expectShot(prompt, STYLE);
    const sent = fake.chatRequests();
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({ model: 'shot-writer-1', response_format: { type: 'json_object' } });
    expect(sent.map((body) => body.messages[0]!.content).join()).toContain('documentary B-roll shot');
    expect(
      JSON.parse(sent.find((body) => String(body.messages[1]!.content).startsWith('{"narration":"Women'))!.messages[1]!.content as string),
    ).toMatchObject({
      keywords: ['barrels'],
      before: units[0]!.text,
    });
    expect(fake.requests.every((entry) => entry.authorized)).toBe(true);
  });

  test.each([
    ['a 500', { kind: 'error', status: 500 }, /answered 500/],
    ['a 401', { kind: 'error', status: 401 }, /answered 401 \(check PROMPT_LLM_API_KEY\)/],
    ['a body that is not JSON', { kind: 'malformed', body: 'not json' }, /./],
    ['content that is not JSON', { kind: 'chat', content: 'Sure! A fleet sailing.' }, /not JSON/],
    ['JSON without an action', { kind: 'chat', content: '{"subject": "A fleet"}' }, /failed validation: action/],
    [
      'a subject past its bound',
      { kind: 'chat', content: JSON.stringify({ subject: 'x'.repeat(400), action: 'sailing' }) },
      /failed validation: subject/,
    ],
    ['an action with no verb', { kind: 'chat', content: '{"subject": "A fleet", "action": "the lighthouse"}' }, /action has no verb/],
    ['a refusal', { kind: 'refusal', refusal: 'I cannot help with that.' }, /refused: I cannot help/],
    ['an answer cut at the token limit', { kind: 'chat', content: '{"subject": "A', finishReason: 'length' }, /token limit/],
    ['a hang-up', { kind: 'hangup' }, /could not be reached/],
  ] as const)('%s: the deterministic prompt is used and the result says why', async (_name, answer, reason) => {
    fake.script('chat', answer, { kind: 'chat', content: JSON.stringify({ subject: 'Women', action: 'salting herring' }) });
    const prompts = await new LlmPromptWriter({
      baseURL: fake.baseURL,
      apiKey: fake.apiKey,
      model: 'm',
      maxRetries: 0,
      concurrency: 1,
    }).write(request);
    expect(prompts[0]).toEqual({ ...deterministic[0], fallback: { from: 'llm', reason: expect.stringMatching(reason) } });
    expect(prompts[1]!.writer).toBe('llm');
    expect(JSON.stringify(prompts)).not.toContain(fake.apiKey);
  });

  test('a slow endpoint: past the timeout the deterministic prompt is used', async () => {
    fake.respond('chat', () => ({ kind: 'chat', content: '{"subject": "A fleet", "action": "sailing"}', delayMs: 5_000 }));
    const prompts = await writer({ timeoutMs: 300 }).write(request);
    expect(prompts).toEqual(
      deterministic.map((prompt) => ({ ...prompt, fallback: { from: 'llm', reason: 'the endpoint did not answer in time' } })),
    );
  });
});

describe('configuration', () => {
  test('off by default; PROMPT_WRITER=llm needs a base URL and a model', () => {
    expect(promptWriterFromEnv({})).toBeInstanceOf(NlpPromptWriter);
    expect(() => promptWriterFromEnv({ PROMPT_WRITER: 'llm' })).toThrow(
      /PROMPT_LLM_BASE_URL is required[\s\S]*PROMPT_LLM_MODEL is required/,
    );
    expect(() => promptWriterFromEnv({ PROMPT_WRITER: 'gpt' })).toThrow(/PROMPT_WRITER/);
    expect(
      promptWriterFromEnv({ PROMPT_WRITER: 'llm', PROMPT_LLM_BASE_URL: 'http://127.0.0.1:9/v1', PROMPT_LLM_MODEL: 'm' }),
    ).toBeInstanceOf(LlmPromptWriter);
  });
});
