// A tiny markup checker for the report tests: tags must balance, attributes must be quoted and
// unique, and every `&` in text or attribute values must start an entity. It returns a tree for
// structural assertions. SVG is checked as XML; HTML mode also allows the doctype and void
// elements (<meta> and the like), the only places where the generated HTML is not XML.

export interface MarkupNode {
  name: string;
  attrs: Record<string, string>;
  content: (MarkupNode | string)[];
}

const VOID = new Set(['meta', 'br', 'hr', 'img', 'link', 'input']);
const ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

function decode(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

/** Parses src, throwing on the first violation. */
export function parseMarkup(src: string, mode: 'xml' | 'html' = 'xml'): MarkupNode {
  const root: MarkupNode = { name: '#root', attrs: {}, content: [] };
  const stack: MarkupNode[] = [root];
  const tagRe = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  if (mode === 'html' && src.startsWith('<!DOCTYPE html>')) i = '<!DOCTYPE html>'.length;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const text = src.slice(i, lt < 0 ? src.length : lt);
    if (ENTITY.test(text)) throw new Error(`bare & in text near ${JSON.stringify(text.slice(0, 40))}`);
    if (text.length > 0) stack[stack.length - 1].content.push(decode(text));
    if (lt < 0) break;
    tagRe.lastIndex = lt;
    const m = tagRe.exec(src);
    if (m === null) throw new Error(`malformed tag at ${lt}: ${JSON.stringify(src.slice(lt, lt + 60))}`);
    const [, closing, name, attrText, selfClosing] = m;
    if (closing) {
      const top = stack.pop();
      if (top === undefined || top.name !== name) throw new Error(`</${name}> closes <${top?.name}>`);
      if (stack.length === 0) throw new Error(`unbalanced </${name}>`);
    } else {
      const attrs: Record<string, string> = {};
      for (const a of attrText.matchAll(/([A-Za-z_:][\w:.-]*)="([^"<]*)"/g)) {
        if (a[1] in attrs) throw new Error(`duplicate attribute ${a[1]} on <${name}>`);
        if (ENTITY.test(a[2])) throw new Error(`bare & in attribute ${a[1]}`);
        attrs[a[1]] = decode(a[2]);
      }
      const node: MarkupNode = { name, attrs, content: [] };
      stack[stack.length - 1].content.push(node);
      if (!selfClosing && !(mode === 'html' && VOID.has(name))) stack.push(node);
    }
    i = tagRe.lastIndex;
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  return root;
}

/** Every descendant of node for which pred holds, in document order. */
export function all(node: MarkupNode, pred: (n: MarkupNode) => boolean): MarkupNode[] {
  const out: MarkupNode[] = [];
  for (const c of node.content) {
    if (typeof c === 'string') continue;
    if (pred(c)) out.push(c);
    out.push(...all(c, pred));
  }
  return out;
}

/** The text content of node. */
export function textOf(node: MarkupNode): string {
  return node.content.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}
