import { XMLBuilder } from 'fast-xml-parser';

/**
 * imsmanifest.xml for a SCORM 1.2 package of one SCO (Content Aggregation Model 1.2): the organization has
 * one item that launches the SCO's page, and the SCO's resource lists every file the package holds, so an
 * LMS that copies only what the manifest names copies everything the page needs.
 */
export interface ManifestInput {
  /** The package's identifier, unique per lesson: the LMS tells one import of it from another by it. */
  identifier: string;
  title: string;
  /** The SCO's launch page, relative to the package root. */
  launch: string;
  /** Every file the SCO uses, relative to the package root (the launch page among them). */
  files: string[];
}

export const SCORM_12_NAMESPACES = {
  imscp: 'http://www.imsproject.org/xsd/imscp_rootv1p1p2',
  adlcp: 'http://www.adlnet.org/xsd/adlcp_rootv1p2',
  imsmd: 'http://www.imsglobal.org/xsd/imsmd_rootv1p2p1',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

/** SCORM 1.2 limits an item's title (CAM 2.3.4) to 200 characters. */
const TITLE_MAX = 200;

export function scormManifest(input: ManifestInput): string {
  if (!input.files.includes(input.launch)) throw new Error(`the launch page ${input.launch} must be one of the package's files`);
  const title = input.title.length <= TITLE_MAX ? input.title : `${input.title.slice(0, TITLE_MAX - 1)}…`;
  const id = xmlId(input.identifier);
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    indentBy: '  ',
    suppressEmptyNode: true,
    // Never `isvisible` alone: XML has no attribute without a value.
    suppressBooleanAttributes: false,
  });
  const body = builder.build({
    manifest: {
      '@_identifier': id,
      '@_version': '1.0',
      '@_xmlns': SCORM_12_NAMESPACES.imscp,
      '@_xmlns:adlcp': SCORM_12_NAMESPACES.adlcp,
      '@_xmlns:xsi': SCORM_12_NAMESPACES.xsi,
      '@_xsi:schemaLocation': [
        `${SCORM_12_NAMESPACES.imscp} imscp_rootv1p1p2.xsd`,
        `${SCORM_12_NAMESPACES.imsmd} imsmd_rootv1p2p1.xsd`,
        `${SCORM_12_NAMESPACES.adlcp} adlcp_rootv1p2.xsd`,
      ].join(' '),
      metadata: { schema: 'ADL SCORM', schemaversion: '1.2' },
      organizations: {
        '@_default': `${id}-org`,
        organization: {
          '@_identifier': `${id}-org`,
          title,
          item: { '@_identifier': `${id}-item`, '@_identifierref': `${id}-sco`, '@_isvisible': 'true', title },
        },
      },
      resources: {
        resource: {
          '@_identifier': `${id}-sco`,
          '@_type': 'webcontent',
          '@_adlcp:scormtype': 'sco',
          '@_href': input.launch,
          file: input.files.map((file) => ({ '@_href': file })),
        },
      },
    },
  }) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

/** An xs:ID: starts with a letter or "_", then letters, digits, ".", "-" or "_". */
function xmlId(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}
