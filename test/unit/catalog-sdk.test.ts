import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { MODEL_CATALOG, OPTIONAL_PARAMS, type Endpoint } from '../../schemas';

/**
 * The model catalog against the pinned SDK's type declarations, read with the TypeScript compiler: every
 * interface of the `ImageToVideoCreateParams` / `TextToVideoCreateParams` namespaces is one model on that
 * endpoint. Upgrading `@runwayml/sdk` shows any drift here at once, as a list of readable differences.
 */

interface SdkModel {
  endpoint: Endpoint;
  model: string;
  /** Property name → its declaration. */
  props: Map<string, ts.PropertySignature>;
  source: ts.SourceFile;
}

const SDK_FILES: Record<Endpoint, { file: string; namespace: string }> = {
  image_to_video: { file: 'image-to-video.d.ts', namespace: 'ImageToVideoCreateParams' },
  text_to_video: { file: 'text-to-video.d.ts', namespace: 'TextToVideoCreateParams' },
};

function sdkModels(endpoint: Endpoint): SdkModel[] {
  const { file, namespace } = SDK_FILES[endpoint];
  const filePath = path.resolve(__dirname, '../../node_modules/@runwayml/sdk/resources', file);
  const source = ts.createSourceFile(filePath, readFileSync(filePath, 'utf8'), ts.ScriptTarget.Latest, true);
  const models: SdkModel[] = [];
  for (const statement of source.statements) {
    if (!ts.isModuleDeclaration(statement) || statement.name.text !== namespace) continue;
    if (!statement.body || !ts.isModuleBlock(statement.body)) continue;
    for (const member of statement.body.statements) {
      if (!ts.isInterfaceDeclaration(member)) continue;
      const props = new Map<string, ts.PropertySignature>();
      for (const prop of member.members) if (ts.isPropertySignature(prop)) props.set(prop.name.getText(source), prop);
      const model = stringLiterals(props.get('model')?.type)[0];
      if (model === undefined) throw new Error(`${namespace}.${member.name.text} has no model literal`);
      models.push({ endpoint, model, props, source });
    }
  }
  if (models.length === 0) throw new Error(`no ${namespace} interfaces found in ${filePath}`);
  return models;
}

/** The string literals of a literal or a union of literals ('a' | 'b'); other members are ignored. */
function stringLiterals(type: ts.TypeNode | undefined): string[] {
  if (!type) return [];
  const members = ts.isUnionTypeNode(type) ? type.types : [type];
  return members.flatMap((member) => (ts.isLiteralTypeNode(member) && ts.isStringLiteral(member.literal) ? [member.literal.text] : []));
}

function numberLiterals(type: ts.TypeNode | undefined): number[] | undefined {
  if (!type) return undefined;
  const members = ts.isUnionTypeNode(type) ? type.types : [type];
  const numbers = members.flatMap((member) =>
    ts.isLiteralTypeNode(member) && ts.isNumericLiteral(member.literal) ? [Number(member.literal.text)] : [],
  );
  return numbers.length > 0 ? numbers : undefined;
}

function docComment(prop: ts.PropertySignature): string {
  return ts
    .getJSDocCommentsAndTags(prop)
    .map((doc) => (typeof doc.comment === 'string' ? doc.comment : ''))
    .join(' ')
    .replace(/\s+/g, ' ');
}

/** The SDK's duration: its literal union, the range its doc comment states, or just `number`. */
function sdkDuration(prop: ts.PropertySignature | undefined): string {
  if (!prop) return 'none';
  const literals = numberLiterals(prop.type);
  if (literals) return `values ${literals.join(',')}`;
  const stated = /(?:from|between) (\d+) (?:to|and) (\d+)/.exec(docComment(prop));
  return stated ? `range ${stated[1]}-${stated[2]}` : 'number';
}

const required = (prop: ts.PropertySignature | undefined) => (prop ? (prop.questionToken ? 'optional' : 'required') : 'absent');

/** Every disagreement between the catalog and the SDK, one line each. */
function differences(): string[] {
  const diffs: string[] = [];
  for (const endpoint of Object.keys(SDK_FILES) as Endpoint[]) {
    const sdk = sdkModels(endpoint);
    const sdkIds = new Set(sdk.map((entry) => entry.model));
    const catalogIds = Object.values(MODEL_CATALOG)
      .filter((spec) => spec.endpoints[endpoint] !== undefined)
      .map((spec) => spec.id as string);
    for (const id of sdkIds) if (!catalogIds.includes(id)) diffs.push(`${endpoint}: SDK model ${id} is missing from the catalog`);
    for (const id of catalogIds) if (!sdkIds.has(id)) diffs.push(`${endpoint}: catalog model ${id} is not in the SDK`);

    for (const { model, props } of sdk) {
      const spec = MODEL_CATALOG[model as keyof typeof MODEL_CATALOG]?.endpoints[endpoint];
      if (!spec) continue;
      const catalog = MODEL_CATALOG[model as keyof typeof MODEL_CATALOG];
      const where = `${endpoint} ${model}`;

      const sdkRatios = stringLiterals(props.get('ratio')?.type).sort();
      const catalogRatios = [...spec.ratios, ...(spec.unsupportedRatios ?? [])].sort();
      if (sdkRatios.join() !== catalogRatios.join())
        diffs.push(`${where}: ratios — SDK [${sdkRatios.join(', ')}], catalog [${catalogRatios.join(', ')}]`);
      const ratioRequired = required(props.get('ratio')) === 'required';
      if (ratioRequired !== spec.ratioRequired)
        diffs.push(`${where}: ratio required — SDK ${ratioRequired}, catalog ${spec.ratioRequired}`);

      const promptText = required(props.get('promptText'));
      if ((promptText === 'required') !== spec.promptTextRequired)
        diffs.push(`${where}: promptText — SDK ${promptText}, catalog ${spec.promptTextRequired ? 'required' : 'optional'}`);
      const promptImage = required(props.get('promptImage'));
      const wantImage = endpoint === 'image_to_video' ? 'required' : 'absent';
      if (promptImage !== wantImage) diffs.push(`${where}: promptImage — SDK ${promptImage}, catalog ${wantImage}`);
      const promptLimit = /up to (\d+) characters/.exec(props.get('promptText') ? docComment(props.get('promptText')!) : '')?.[1];
      if (promptLimit !== undefined && Number(promptLimit) !== spec.maxPromptTextLength)
        diffs.push(`${where}: promptText limit — SDK ${promptLimit}, catalog ${spec.maxPromptTextLength}`);

      const durationProp = props.get('duration');
      if ((required(durationProp) === 'required') !== spec.durationRequired)
        diffs.push(`${where}: duration required — SDK ${required(durationProp)}, catalog ${spec.durationRequired}`);
      const sdk = sdkDuration(durationProp);
      const ours = catalog.duration;
      const catalogDuration = ours.kind === 'values' ? `values ${ours.values.join(',')}` : `range ${ours.min}-${ours.max}`;
      // a bare `number` says nothing to compare: the catalog's limits then come from Runway's docs or are flagged assumed
      if (sdk === 'none' || (sdk !== 'number' && sdk !== catalogDuration))
        diffs.push(`${where}: duration — SDK ${sdk}, catalog ${catalogDuration}`);
      if (sdk === 'number' && ours.source === 'sdk') diffs.push(`${where}: duration source 'sdk', but the SDK says only number`);

      for (const param of OPTIONAL_PARAMS) {
        const inSdk = props.has(param);
        if (inSdk !== spec.params.includes(param))
          diffs.push(`${where}: parameter ${param} — SDK ${inSdk ? 'has' : 'lacks'} it, catalog ${inSdk ? 'lacks' : 'has'} it`);
      }
      const resolutions = stringLiterals(props.get('resolution')?.type).filter((value) => value === value.toLowerCase());
      if (resolutions.sort().join() !== [...(spec.resolutions ?? [])].sort().join())
        diffs.push(`${where}: resolutions — SDK [${resolutions.join(', ')}], catalog [${(spec.resolutions ?? []).join(', ')}]`);
    }
  }
  return diffs;
}

test('the catalog covers every image_to_video and text_to_video model of the pinned SDK, as the SDK declares it', () => {
  expect(differences()).toEqual([]);
});

test('the SDK reading finds what it should (so an empty diff means agreement, not a broken parser)', () => {
  const i2v = sdkModels('image_to_video');
  const t2v = sdkModels('text_to_video');
  expect(i2v.length).toBeGreaterThanOrEqual(16);
  expect(t2v.length).toBeGreaterThanOrEqual(15);
  const gen45 = i2v.find((entry) => entry.model === 'gen4.5')!;
  expect(required(gen45.props.get('promptText'))).toBe('required');
  expect(sdkDuration(gen45.props.get('duration'))).toBe('range 2-10');
  expect(sdkDuration(i2v.find((entry) => entry.model === 'veo3.1')!.props.get('duration'))).toBe('values 4,6,8');
  expect(stringLiterals(t2v.find((entry) => entry.model === 'gen4.5')!.props.get('ratio')?.type)).toEqual(['1280:720', '720:1280']);
});
