import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { parseScript, type ScriptFormat, type ScriptParagraph } from '../../client/explainer/script';
import { wordCount } from '../../schemas';
import { examplesDir, fuzz, fuzzSetup, mutatedJson, mutatedText, outcomeOf } from '../helpers/fuzz';

/**
 * Explainer files and their Markdown or plain-text scripts, generated and mutated from the shipped example: a
 * script reduces to numbered paragraphs of narration or is refused naming its line; an explainer starts (reaching
 * the unconnected client, chunked and priced) or is refused with an InputError naming a field or a line.
 */
const exampleDir = path.join(examplesDir, 'explainer');
const explainer = parseYaml(fs.readFileSync(path.join(exampleDir, 'why-the-sky-is-blue.yaml'), 'utf8')) as Record<string, unknown>;
const markdown = fs.readFileSync(path.join(exampleDir, 'why-the-sky-is-blue.md'), 'utf8');
/** Markdown the example does not use, for the mutations to break: a heading, a list, a quote, a link, a code span. */
const richMarkdown = `${markdown}\n## In short\n\n- Blue light is *scattered* most.\n- Red light travels [further](https://example.com).\n\n> The sky is not blue at night.\n\nUse \`λ\` for wavelength.\n`;
const { api, dir } = fuzzSetup('explainer');

/** Paragraphs numbered from 1 without a gap, each with words, on lines that exist in the script. */
function checkParagraphs(paragraphs: ScriptParagraph[], script: string): void {
  const lines = script.split(/\r\n|\r|\n/).length;
  paragraphs.forEach((paragraph, index) => {
    if (paragraph.paragraph !== index + 1) throw new Error(`paragraph ${index + 1} is numbered ${paragraph.paragraph}`);
    if (wordCount(paragraph.text) === 0) throw new Error(`paragraph ${index + 1} has no words`);
    if (paragraph.line < 1 || paragraph.line > lines) throw new Error(`paragraph ${index + 1} is on line ${paragraph.line} of ${lines}`);
  });
}

for (const format of ['markdown', 'text'] as const satisfies ScriptFormat[]) {
  test(`${format} scripts, mutated and generated: numbered paragraphs of narration or an InputError naming the line`, async () => {
    const input = fc.oneof(
      { weight: 2, arbitrary: mutatedText(markdown) },
      { weight: 2, arbitrary: mutatedText(richMarkdown) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 300 }) },
    );
    const tally = await fuzz(input, (script) => outcomeOf(() => checkParagraphs(parseScript(script, format, 'lesson.md'), script)));
    expect(tally.accepted).toBeGreaterThan(0);
  }, 60_000);
}

test('explainer files with inline or file scripts, mutated from the example: started or refused with a named field or line', async () => {
  let written = 0;
  const input = fc.record({
    explainer: fc.oneof({ weight: 3, arbitrary: mutatedJson(explainer) }, { weight: 1, arbitrary: fc.constant<unknown>(explainer) }),
    script: fc.option(fc.oneof(mutatedText(markdown), mutatedText(richMarkdown)), { nil: undefined }),
    inline: fc.boolean(),
  });
  const tally = await fuzz(input, ({ explainer: value, script, inline }) => {
    const file = `s${written++ % 50}.md`;
    fs.writeFileSync(path.join(dir, file), script ?? markdown);
    const own = typeof value === 'object' && value !== null && 'script' in value ? (value as { script: unknown }).script : undefined;
    // The example's script path is replaced by this run's script, inline or as a file; a mutated one stays as mutated.
    const withScript =
      JSON.stringify(own) === JSON.stringify(explainer.script)
        ? { ...(value as object), script: inline ? (script ?? markdown) : { path: file } }
        : value;
    return outcomeOf(() => api.explainers.start(withScript as never, dir));
  });
  expect(tally.refused).toBeGreaterThan(0);
  expect(tally.accepted).toBeGreaterThan(0);
}, 60_000);
