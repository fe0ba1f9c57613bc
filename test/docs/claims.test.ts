/**
 * Claims check: a measured figure in a README arrives with the command that reproduces it. Every paragraph or
 * table (with the paragraph that introduces it) that states a speed, a latency, a size per bar or a throughput
 * must name a `npm run bench -- <section>` command, and that section must exist in bench/run.ts. Limits and
 * settings that are not measurements say so by carrying no unit the check reads as measured (they are written as
 * configuration, e.g. "10 MiB"), or sit in a table whose header says threshold, limit or default.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const READMES = ['README.md', 'shared/chan-analysis/README.md'];

/** Units only a measurement carries here. */
const FIGURE =
  /\d(?:[\d,.]*)\s?(?:ms|µs|M\/s|k\/s|req\/s|bars\/s|rows\/s|B\/bar|KB|MB\b|GB\/s|s wall|× chan\.py|x chan\.py)/;
/** Tables of settings (alarm thresholds, limits, defaults) state configured values, not measurements. */
const SETTINGS = /^\|.*\b(threshold|limit|default)\b.*\|$/im;
const COMMAND = /npm run bench -- ([a-z]+(?:[ ,|]+[a-z]+)*)/g;

function sections(): Set<string> {
  const run = readFileSync(join(ROOT, 'bench/run.ts'), 'utf8');
  const table = run.slice(run.indexOf('const sections'), run.indexOf('};', run.indexOf('const sections')));
  return new Set([...table.matchAll(/^\s+([a-z]+): async/gm)].map((m) => m[1]));
}

/** Paragraphs and tables outside code fences; a table is joined to the paragraph just before it. */
export function blocks(markdown: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let fenced = false;
  let cur: string[] = [];
  let start = 0;
  const lines = markdown.split('\n');
  const flush = () => {
    if (cur.length === 0) return;
    const text = cur.join('\n');
    const prev = out[out.length - 1];
    if (text.startsWith('|') && prev && !prev.text.startsWith('#')) prev.text += `\n${text}`;
    else out.push({ text, line: start + 1 });
    cur = [];
  };
  lines.forEach((l, i) => {
    if (l.trimStart().startsWith('```')) {
      flush();
      fenced = !fenced;
      return;
    }
    if (fenced) return;
    if (l.trim() === '' || l.startsWith('#')) {
      flush();
      if (l.startsWith('#')) out.push({ text: l, line: i + 1 });
      return;
    }
    if (cur.length === 0) start = i;
    cur.push(l);
  });
  flush();
  return out;
}

describe('README figures carry their command', () => {
  const known = sections();

  it('the bench has the sections the READMEs name', () => {
    expect(known.size).toBeGreaterThan(3);
  });

  for (const file of READMES) {
    it(`${file}: every measured figure names a bench command that exists`, () => {
      const md = readFileSync(join(ROOT, file), 'utf8');
      const missing: string[] = [];
      const unknown: string[] = [];
      for (const b of blocks(md)) {
        if (!FIGURE.test(b.text) || SETTINGS.test(b.text)) continue;
        const commands = [...b.text.matchAll(COMMAND)].flatMap((m) => m[1].split(/[ ,|]+/));
        if (commands.length === 0) missing.push(`${file}:${b.line}: ${b.text.split('\n')[0].slice(0, 100)}`);
        for (const c of commands) if (!known.has(c)) unknown.push(`${file}:${b.line}: npm run bench -- ${c}`);
      }
      expect(missing, 'figures without a `npm run bench -- <section>` command in their paragraph/table').toEqual([]);
      expect(unknown, 'bench sections that do not exist').toEqual([]);
    });
  }

  it('the check reads what it should', () => {
    const md = 'Intro.\n\n| a | b |\n| - | - |\n| x | 5 ms |\n\nText 3 ms here.\n\n```\n9 ms in code\n```\n';
    const b = blocks(md);
    expect(b.filter((x) => FIGURE.test(x.text)).map((x) => x.line)).toEqual([1, 7]);
    expect(b[0].text).toContain('| x | 5 ms |');
  });
});
