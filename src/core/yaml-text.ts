// YAML text rig writes (compose files, the images lockfile, the `yaml` template helper, merged host files): the `yaml` package's
// stringify, with every string that would not read back as itself written double-quoted instead.
import { Document, parse, stringify, visit } from 'yaml';
import type { CreateNodeOptions, DocumentOptions, ParseOptions, SchemaOptions, ToStringOptions } from 'yaml';

/** What `stringify` of the `yaml` package takes. */
export type YamlTextOptions = DocumentOptions & SchemaOptions & ParseOptions & CreateNodeOptions & ToStringOptions;

/**
 * `stringify(value, options)`, byte-for-byte, except that a string the `yaml` package would write as a block scalar
 * that parses back as another string is double-quoted. yaml 2.9 writes `' \n'` as `|+` over a whitespace-only line,
 * which YAML reads as an empty line (`'\n'`), and at the top level a first line that starts with spaces loses some
 * (eemeli/yaml#692, #695). A value must land byte-exact, so each string that could take a block or folded form is
 * checked by a round trip in these options, at the top level or as a mapping value (where it stands).
 */
export function stringifyYaml(value: unknown, options: YamlTextOptions = {}): string {
  const doc = new Document(value, options);
  return quoteLossyStrings(doc, options) ? doc.toString(options) : stringify(value, options);
}

/**
 * A document's text (an edited one, e.g. a host file rig merges keys into), with the strings {@link stringifyYaml}
 * double-quotes double-quoted.
 */
export function yamlDocumentText(doc: Document, options: YamlTextOptions = {}): string {
  quoteLossyStrings(doc, options);
  return doc.toString(options);
}

/** Marks every string scalar that would not read back as itself double-quoted; true when it marked one. */
function quoteLossyStrings(doc: Document, options: YamlTextOptions): boolean {
  let quoted = false;
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || node.type === 'QUOTE_DOUBLE') return;
      if (readsBack(node.value, node === doc.contents, options)) return;
      node.type = 'QUOTE_DOUBLE';
      quoted = true;
    },
  });
  return quoted;
}

/** A string that stays plain, single- or double-quoted reads back as itself; only block forms are checked. */
function readsBack(text: string, top: boolean, options: YamlTextOptions): boolean {
  if (!mayBeBlock(text, options)) return true;
  try {
    if (top) return parse(stringify(text, options), options) === text;
    return (parse(stringify({ k: text }, options), options) as { k: unknown }).k === text;
  } catch {
    return false; // some forms do not even parse back (eemeli/yaml#692)
  }
}

/** Multi-line strings become block scalars (`|`); long ones may be folded (`>`) at `lineWidth`. */
function mayBeBlock(text: string, options: YamlTextOptions): boolean {
  if (text.includes('\n')) return true;
  const width = options.lineWidth ?? 80;
  return width > 0 && text.length > Math.min(width, options.minContentWidth ?? 20);
}
