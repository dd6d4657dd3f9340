import { describe, expect, it } from 'vitest';
import { indexOptions, requirementArgs, requirementFileArgs } from '../../../../src/pipeline/target-jobs/pip-commands.js';

describe('pip options of the drivers', () => {
  it('index options keep every URL one argv element; the repository comes with --find-links', () => {
    expect(indexOptions('https://i/simple/', ['https://x/a b;$(rm)/'], { findLinks: ['/repo'], indexUrls: [] })).toEqual([
      '--index-url', 'https://i/simple/', '--extra-index-url', 'https://x/a b;$(rm)/', '--find-links', '/repo',
    ]);
  });

  it('requirement files: constraints first when there are some', () => {
    expect(requirementFileArgs(false)).toEqual(['-r', '/in/requirements.txt']);
    expect(requirementFileArgs(true)).toEqual(['-c', '/in/constraints.txt', '-r', '/in/requirements.txt']);
  });

  it('build requirements always follow --, so none can be read as an option', () => {
    expect(requirementArgs(['setuptools>=40.8.0', '--index-url=http://evil/'])).toEqual(['--', 'setuptools>=40.8.0', '--index-url=http://evil/']);
  });
});
