import { describe, expect, it } from 'vitest';
import { SIMPLE_JSON } from '../../../src/index/content-types.js';
import { negotiateSimple, parseAccept } from '../../../src/index/negotiate.js';

const JSON_T = 'application/vnd.pypi.simple.v1+json';
const V1HTML = 'application/vnd.pypi.simple.v1+html';
const HTML = 'text/html';

describe('negotiateSimple (PEP 691)', () => {
  const cases: [string, string | undefined, string | null][] = [
    ['pip 22.2+', `${JSON_T}, ${V1HTML}; q=0.1, text/html; q=0.01`, JSON_T],
    ['no header means */*: legacy HTML', undefined, HTML],
    ['empty header', '', HTML],
    ['*/*', '*/*', HTML],
    ['browser', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', HTML],
    ['only v1+html', V1HTML, V1HTML],
    ['only JSON', JSON_T, JSON_T],
    ['latest+json alias', 'application/vnd.pypi.simple.latest+json', JSON_T],
    ['latest+html alias', 'application/vnd.pypi.simple.latest+html', V1HTML],
    ['JSON and HTML equal: most expressive', `${V1HTML}, ${JSON_T}`, JSON_T],
    ['q decides: HTML preferred', `text/html, ${JSON_T};q=0.5`, HTML],
    ['q=0 refuses JSON', `${JSON_T};q=0, text/html`, HTML],
    ['application/* matches the vnd types', 'application/*', JSON_T],
    ['text/* only reaches text/html', 'text/*', HTML],
    ['specific range overrides wildcard q', `*/*;q=0.9, ${JSON_T};q=0`, HTML],
    ['unsupported type', 'application/json', null],
    ['everything refused', `${JSON_T};q=0, ${V1HTML};q=0, text/html;q=0`, null],
    ['case-insensitive', 'Application/VND.PyPI.Simple.V1+JSON', JSON_T],
    ['malformed q ignored entry', `${JSON_T};q=high, text/html`, HTML],
  ];
  it.each(cases)('%s', (_name, accept, expected) => {
    expect(negotiateSimple(accept)).toBe(expected);
  });

  // Issue 14, point 15.
  it('a format parameter whose `+` was decoded as a space still names the type', () => {
    expect(negotiateSimple('text/html', 'application/vnd.pypi.simple.v1 json')).toBe(SIMPLE_JSON);
    expect(negotiateSimple('text/html', 'application/vnd.pypi.simple.latest json')).toBe(SIMPLE_JSON);
  });

  it('the format parameter takes precedence over Accept', () => {
    expect(negotiateSimple('text/html', JSON_T)).toBe(JSON_T);
    expect(negotiateSimple(JSON_T, 'text/html')).toBe(HTML);
    expect(negotiateSimple(JSON_T, 'bogus')).toBe(JSON_T);
  });
});

describe('parseAccept', () => {
  it('parses q-values and drops malformed entries', () => {
    expect(parseAccept('text/html;level=1;q=0.5, nonsense, */*')).toEqual([
      { type: 'text', subtype: 'html', q: 0.5 },
      { type: '*', subtype: '*', q: 1 },
    ]);
  });
});
