import { describe, expect, it } from 'vitest';
import { spliceSection } from './report.js';

const START = '<!-- soak:start (written by npm run soak) -->';
const END = '<!-- soak:end -->';

describe('RELIABILITY.md soak section', () => {
  it('replaces only its own previous section and keeps what others wrote around it', () => {
    const page = `# Reliability\n\n## Attacks\nrows\n\n${START}\nold run\n${END}\n\n## Floods\nrows\n`;
    const next = spliceSection(page, `${START}\nnew run\n${END}`);
    expect(next).toBe(`# Reliability\n\n## Attacks\nrows\n\n${START}\nnew run\n${END}\n\n## Floods\nrows\n`);
  });

  it('appends the section to a page without one, and writes it alone to a missing page', () => {
    expect(spliceSection('# Reliability\n\n## Attacks\n', `${START}\nrun\n${END}`)).toBe(
      `# Reliability\n\n## Attacks\n\n${START}\nrun\n${END}\n`,
    );
    expect(spliceSection('', `${START}\nrun\n${END}`)).toBe(`${START}\nrun\n${END}\n`);
  });
});
