import { describe, expect, it } from 'vitest';
import { isValidSpecifierClause } from '../../../src/requirements/specifier-clause.js';

describe('isValidSpecifierClause', () => {
  it.each([
    ['==2.8.*', true],
    ['!=1!2.0.*', true],
    ['==v1.0.*', true],
    ['===foo.*', true],
    ['===anything', true],
    ['>=1.0', true],
    ['~=0.0', true],
    ['==1.0+local', true],
    ['==2.8a.*', false],
    ['==2.A8.*', false],
    ['==1.0.post1.*', false],
    ['==1.0.dev1.*', false],
    ['>=1.0.*', false],
    ['~=1', false],
    ['<=1.0+local', false],
    ['>=1,<2', false],
    ['>=', false],
    ['>=foo', false],
    ['>=\ufeff3.8', false],
  ])('%s → %s', (clause, ok) => {
    expect(isValidSpecifierClause(clause)).toBe(ok);
  });
});
