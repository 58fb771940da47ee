/**
 * Katib's trial-template placeholder syntax (`experiment/manifest/generator.go`, REFERENCE §5.4):
 * `${trialParameters.<name>}` in the template, and `${trialSpec.<Key>}` meta references.
 */

/** Matches every `${trialParameters.<name>}`; group 1 is the name (Katib's lazy `.+?`). */
export const placeholderPattern: RegExp = /\$\{trialParameters\.(.+?)\}/g;

/** The placeholder text for a trial parameter name. */
export function placeholder(name: string): string {
  return `\${trialParameters.${name}}`;
}

/** Replaces every known placeholder in `text` with `lookup(name)`; unknown names stay as written. */
export function replacePlaceholders(text: string, lookup: (name: string) => string | undefined): string {
  return text.replace(placeholderPattern, (whole, name: string) => lookup(name) ?? whole);
}

/** A `${trialSpec.*}` reference: a fixed key, or a label/annotation of the template's own metadata. */
export type MetaRef =
  | { readonly key: 'Name' | 'Namespace' | 'Kind' | 'APIVersion' }
  | { readonly key: 'Labels' | 'Annotations'; readonly name: string };

const metaForm = /^\$\{trialSpec\.(.+)\}$/;
const mapForm = /^(Labels|Annotations)\[(.+)\]$/;

/**
 * Parses a trialParameter `reference`: undefined when it is a plain parameter name, a {@link MetaRef} for a
 * supported meta key, or `{ unsupported }` for a `${trialSpec.X}` form Katib cannot resolve.
 */
export function parseMetaRef(reference: string): MetaRef | { readonly unsupported: string } | undefined {
  const m = metaForm.exec(reference);
  if (!m) return undefined;
  const key = m[1] ?? '';
  if (key === 'Name' || key === 'Namespace' || key === 'Kind' || key === 'APIVersion') return { key };
  const map = mapForm.exec(key);
  if (map) return { key: map[1] as 'Labels' | 'Annotations', name: map[2] ?? '' };
  return { unsupported: key };
}
