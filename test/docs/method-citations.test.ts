/**
 * Every citation of docs/method.md in the repository must name a section, item or appendix entry
 * that exists there (issue 10 item 7). The scan covers lib/, native/, test/, bench/, scripts/,
 * docs/ and examples/ plus README.md and CONTRIBUTING.md, without node_modules, vendor,
 * docs/results and this file (whose examples include deliberately bad citations).
 *
 * Recognised forms, after joining comment lines (`//`, `///`, ` * `, `#` continuations):
 * - right after the file name: a section ("section 2", "section 2.1", a bare "2.1"), lists and
 *   ranges ("sections 3.5, 4 and 5.5", "sections 3 to 5"), pitfalls ("pitfall 11", "7 item 11"),
 *   table rows or list items ("5.4, item 7") and appendix entries ("appendix A.3");
 * - in a file that cites the document, the same forms introduced by a keyword anywhere
 *   ("(section 4.1)", "appendix A.2", "pitfalls 5 and 6"), since they refer to the same document.
 *
 * A section exists when docs/method.md has a numbered heading for it ("## 2. Neuron models",
 * "### 2.1 QIF ...", "### A.3 ..."); item N of section S exists when the body of S has a numbered
 * list item "N. " or a table row "| N |" (pitfall N is item N of section 7).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const DOC = path.join(ROOT, 'docs', 'method.md');
const SCAN_DIRS = ['lib', 'native', 'test', 'bench', 'scripts', 'docs', 'examples'];
const SCAN_FILES = ['README.md', 'CONTRIBUTING.md'];
const SKIP_DIRS = new Set(['node_modules', 'vendor', '.git']);
// docs/results holds generated reports; this file's examples include deliberately bad citations.
const SKIP_PATHS = new Set([path.join('docs', 'results'), path.join('test', 'docs', 'method-citations.test.ts')]);
const TEXT_FILE = /\.(ts|js|mjs|cjs|cc|cpp|hpp|h|md|json|sh|py|txt|cmake)$/;
// The document's name, built so that this file holds no literal citation of its own.
const NAME = ['method', 'md'].join('.');

/** A reference to the document: a section, an item of a section, or an appendix entry. */
type Ref = { kind: 'section'; id: string } | { kind: 'item'; section: string; item: number } | { kind: 'appendix'; id: string };

/** A reference found in a file, with the text it was read from. */
interface Citation {
  file: string;
  offset: number;
  ref: Ref;
  text: string;
}

/** The numbered structure of docs/method.md. */
interface Outline {
  sections: Set<string>;
  appendix: Set<string>;
  /** Per section id, the numbers of its list items and table rows. */
  items: Map<string, Set<number>>;
}

/** Reads the numbered headings, list items and table rows of the document. */
function outlineOf(markdown: string): Outline {
  const sections = new Set<string>();
  const appendix = new Set<string>();
  const items = new Map<string, Set<number>>();
  let current: string | null = null;
  let inFence = false;
  for (const line of markdown.split(/\r?\n/)) {
    if (/^```/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const h = /^#{1,6}\s+(?:Appendix\s+)?(A(?:\.\d+)?|\d+(?:\.\d+)*)\.?\s/.exec(line);
    if (h) {
      current = h[1];
      (current.startsWith('A') ? appendix : sections).add(current);
      if (!items.has(current)) items.set(current, new Set());
      continue;
    }
    if (/^#{1,6}\s/.test(line)) {
      current = null; // an unnumbered heading ends the numbered section's own body
      continue;
    }
    const it = /^(\d+)\.\s/.exec(line) ?? /^\|\s*(\d+)\s*\|/.exec(line);
    if (it && current !== null) items.get(current)!.add(Number(it[1]));
  }
  return { sections, appendix, items };
}

/** Joins comment continuation lines, so that a citation may wrap. Offsets change, text does not. */
function joinLines(text: string): string {
  return text.replace(/\r?\n[ \t]*(?:\/\/\/?|\*(?!\/)|#)?[ \t]*/g, ' ');
}

const TOKEN = /A\.\d+|\d+(?:\.\d+)*|[A-Za-z_][\w-]*|[,;]|\S/g;
const KEYWORD = /^(sections?|pitfalls?|appendix)$/i;

/**
 * Reads the references of one citation starting at `from` in `text` (just after the document's
 * name, or at a keyword); it must begin with a reference or a keyword, otherwise the text only
 * mentions the document. Returns the references with their offsets.
 */
function readRefs(text: string, from: number): { ref: Ref; offset: number }[] {
  const out: { ref: Ref; offset: number }[] = [];
  const limit = Math.min(text.length, from + 200);
  TOKEN.lastIndex = from;
  let mode: 'section' | 'pitfall' | 'item' = 'section';
  let ok = true; // a reference may come next
  let first = true;
  let range = false;
  let lastSection: string | null = null;
  let itemSection: string | null = null;
  for (let m = TOKEN.exec(text); m !== null && m.index < limit; m = TOKEN.exec(text)) {
    const tok = m[0];
    const isNumber = /^\d/.test(tok);
    const isAppendix = /^A\.\d+$/.test(tok);
    const isWord = /^[A-Za-z_]/.test(tok) && !isAppendix;
    if (first && !isNumber && !isAppendix && !(isWord && KEYWORD.test(tok))) return out;
    first = false;
    if (isAppendix) {
      if (ok) out.push({ ref: { kind: 'appendix', id: tok }, offset: m.index });
      ok = false;
    } else if (isNumber) {
      if (ok) {
        const n = tok;
        if (mode === 'pitfall') {
          out.push({ ref: { kind: 'item', section: '7', item: Number(n) }, offset: m.index });
        } else if (mode === 'item' && itemSection !== null) {
          out.push({ ref: { kind: 'item', section: itemSection, item: Number(n) }, offset: m.index });
        } else if (range && lastSection !== null && /^\d+$/.test(lastSection) && /^\d+$/.test(n)) {
          for (let s = Number(lastSection) + 1; s <= Number(n); s++) {
            out.push({ ref: { kind: 'section', id: String(s) }, offset: m.index });
          }
          lastSection = n;
        } else {
          out.push({ ref: { kind: 'section', id: n }, offset: m.index });
          lastSection = n;
        }
      }
      ok = false;
      range = false;
    } else if (isWord) {
      const w = tok.toLowerCase();
      if (w === 'section' || w === 'sections' || w === 'appendix') {
        mode = 'section';
        ok = true;
      } else if (w === 'pitfall' || w === 'pitfalls') {
        mode = 'pitfall';
        ok = true;
      } else if (w === 'item' || w === 'items') {
        if (lastSection === null) break;
        mode = 'item';
        itemSection = lastSection;
        ok = true;
      } else if (w === 'and' || w === 'or') {
        ok = true;
      } else if (w === 'to') {
        range = mode === 'section';
        ok = true;
      } else {
        // Any other word ("intro", "metrics", "pseudodynamics") ends a list of items or pitfalls;
        // a reference may only follow after a separator or a keyword.
        ok = false;
        if (mode !== 'section') mode = 'section';
      }
    } else if (tok === ',' || tok === ';') {
      ok = true;
    } else {
      break; // any other punctuation ends the citation: ( ) : . ` ' " [ ] | and so on
    }
  }
  return out;
}

/** All references to the document in one file's text. */
function citationsIn(file: string, raw: string): Citation[] {
  if (!raw.includes(NAME)) return [];
  const text = joinLines(raw);
  const found: Citation[] = [];
  const seen = new Set<string>(); // a reference read both after the name and at its keyword
  const add = (start: number) => {
    for (const { ref, offset } of readRefs(text, start)) {
      const key = `${offset} ${JSON.stringify(ref)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({ file, offset, ref, text: text.slice(Math.max(0, start - 10), offset + 30) });
    }
  };
  for (let i = text.indexOf(NAME); i >= 0; i = text.indexOf(NAME, i + 1)) add(i + NAME.length);
  const keyword = /\b(?:sections?|pitfalls?|appendix)\s+(?=A\.\d|\d)/gi;
  for (let m = keyword.exec(text); m !== null; m = keyword.exec(text)) add(m.index);
  return found;
}

/** Whether a reference exists in the outline. */
function resolves(outline: Outline, ref: Ref): boolean {
  if (ref.kind === 'section') return outline.sections.has(ref.id);
  if (ref.kind === 'appendix') return outline.appendix.has(ref.id);
  return outline.items.get(ref.section)?.has(ref.item) ?? false;
}

function describeRef(ref: Ref): string {
  if (ref.kind === 'item') return ref.section === '7' ? `pitfall ${ref.item}` : `section ${ref.section}, item ${ref.item}`;
  return ref.kind === 'appendix' ? `appendix ${ref.id}` : `section ${ref.id}`;
}

function filesToScan(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(ROOT, rel);
    if (!fs.existsSync(abs)) return;
    const st = fs.statSync(abs);
    if (st.isDirectory()) {
      if (SKIP_DIRS.has(path.basename(rel)) || SKIP_PATHS.has(rel)) return;
      for (const name of fs.readdirSync(abs).sort()) walk(path.join(rel, name));
    } else if (st.isFile() && TEXT_FILE.test(rel) && !SKIP_PATHS.has(rel)) {
      out.push(rel);
    }
  };
  for (const d of SCAN_DIRS) walk(d);
  for (const f of SCAN_FILES) walk(f);
  return out;
}

/** The citations in the given files that do not resolve. */
function unresolved(outline: Outline, citations: Citation[]): string[] {
  return citations.filter((c) => !resolves(outline, c.ref)).map((c) => `${c.file}: ${describeRef(c.ref)} ("...${c.text}...")`);
}

describe('docs/method.md citations', () => {
  const outline = outlineOf(fs.readFileSync(DOC, 'utf8'));
  const cite = (rest: string) => `${NAME} ${rest}`;
  const refsOf = (line: string) => citationsIn('x.ts', line).map((c) => describeRef(c.ref));

  it('the document has the numbered sections 0 to 7, pitfalls 1 to 22 and appendix A.1 to A.5', () => {
    for (let s = 0; s <= 7; s++) expect(outline.sections.has(String(s))).toBe(true);
    for (const s of ['1.1', '1.5', '2.1', '2.4', '3.1', '3.6', '4.1', '4.3', '5.1', '5.6', '6.1', '6.5']) {
      expect(outline.sections.has(s)).toBe(true);
    }
    expect([...outline.items.get('7')!].sort((a, b) => a - b)).toEqual(Array.from({ length: 22 }, (_, k) => k + 1));
    expect([...outline.items.get('5.4')!].sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, k) => k + 1));
    expect([...outline.appendix].sort()).toEqual(['A', 'A.1', 'A.2', 'A.3', 'A.4', 'A.5']);
  });

  it('reads the citation forms used in the code', () => {
    expect(refsOf(`(${cite('section 2.1; pseudodynamics section 4.1)')}`)).toEqual(['section 2.1', 'section 4.1']);
    expect(refsOf(`(${cite('sections 3.5, 4 and 5.5)')}.`)).toEqual(['section 3.5', 'section 4', 'section 5.5']);
    expect(refsOf(`(${cite('sections 3 to 5).')}`)).toEqual(['section 3', 'section 4', 'section 5']);
    expect(refsOf(`(${cite('sections 0 and 4.1, pitfall 11).')}`)).toEqual(['section 0', 'section 4.1', 'pitfall 11']);
    expect(refsOf(`(${cite('section 6\n * intro and 7 item 19).')}`)).toEqual(['section 6', 'section 7', 'pitfall 19']);
    expect(refsOf(`(${cite('6.4 metrics, 7 item 14).')}`)).toEqual(['section 6.4', 'section 7', 'pitfall 14']);
    expect(refsOf(`(${cite('5.4, items 2 and 5)')}`)).toEqual(['section 5.4', 'section 5.4, item 2', 'section 5.4, item 5']);
    expect(refsOf(`// ${cite('appendix A.2')}, computed.`)).toEqual(['appendix A.2']);
    expect(refsOf(`(${cite('6.2, presumably paper Fig. 2)')}`)).toEqual(['section 6.2']);
    expect(refsOf(`(${cite('3.5: a neuron due to spike within eps')}`)).toEqual(['section 3.5']);
    expect(refsOf(`/// the chi form of ${cite('section 2.1, atan2/log1p form)')}`)).toEqual(['section 2.1']);
    // Mentions of the document that cite nothing, and keyword references in a citing file.
    expect(refsOf(`defaults of ${cite('(tau = 1, alpha = 10)')}`)).toEqual([]);
    expect(refsOf(`values printed in ${NAME}, to the printed digits`)).toEqual([]);
    expect(refsOf(`${NAME} rows (and the table of section 4.1); appendix A.3`)).toEqual(['section 4.1', 'appendix A.3']);
  });

  it('reports a citation of a section, pitfall, item or appendix entry that does not exist', () => {
    const bad = [
      cite('section 9.9'),
      cite('2.7'),
      cite('pitfall 23'),
      cite('7 item 0'),
      cite('5.4, item 12'),
      cite('appendix A.6'),
      `${NAME} is cited; see section 8`,
    ];
    for (const line of bad) {
      const found = citationsIn('x.ts', line);
      expect({ line, found: found.length > 0 }).toEqual({ line, found: true });
      expect({ line, unresolved: unresolved(outline, found).length > 0 }).toEqual({ line, unresolved: true });
    }
    const good = citationsIn('x.ts', cite('section 4.1, pitfall 22, appendix A.5 and 5.4, item 11'));
    expect(good.length).toBe(5);
    expect(unresolved(outline, good)).toEqual([]);
  });

  it('every citation in the repository resolves', () => {
    const files = filesToScan();
    const citations = files.flatMap((f) => citationsIn(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
    // The code cites the document about a hundred times; far fewer means the scan is broken.
    expect(citations.length).toBeGreaterThanOrEqual(100);
    expect(new Set(citations.map((c) => c.file)).size).toBeGreaterThanOrEqual(30);
    expect(unresolved(outline, citations)).toEqual([]);
  });
});
