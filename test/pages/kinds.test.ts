/**
 * The list of kinds (src/pages/kinds.ts) is the one place that names every kind of page: the
 * template bodies, the header's sections and the README's list of bodies follow it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../src/pages/kinds.ts';
import { REPO } from '../helpers/archive.ts';

const bodies = new Set(KINDS.map((kind) => kind.body));
const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

describe('the list of kinds', () => {
  it('names each kind once', () => {
    expect(new Set(KINDS.map((kind) => kind.name)).size).toBe(KINDS.length);
  });

  it('names every template body there is, and there is one for every kind', () => {
    const files = readdirSync(join(REPO, 'templates', '_includes', 'pages')).map((file) => file.replace(/\.njk$/, ''));
    expect(new Set(files)).toEqual(bodies);
    // One template renders every kind's pages through its body: nothing else to keep in step.
    expect(readdirSync(join(REPO, 'templates')).filter((file) => file.endsWith('.njk'))).toEqual(['page.njk']);
  });

  it("matches the README's list of template bodies", () => {
    const theming = /^- `_includes\/pages\/<body>\.njk`: ([\s\S]*?)\n- /m.exec(readme)?.[1] ?? '';
    const named = new Set([...theming.matchAll(/`([a-z-]+)`/g)].map((match) => match[1]));
    expect(named).toEqual(bodies);
  });

  it("gives the header's sections in the README's order", () => {
    const header = /^Every page's header links the sections — (.*?) — and/m.exec(readme)?.[1]?.split(', ');
    expect(KINDS.flatMap((kind) => (kind.section ? [kind.section.text] : []))).toEqual(header);
  });
});
