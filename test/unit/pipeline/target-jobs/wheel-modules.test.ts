import { describe, expect, it } from 'vitest';
import { smokeModules, topLevelModules } from '../../../../src/pipeline/target-jobs/wheel-modules.js';

describe('topLevelModules', () => {
  it.each([
    ['a package', ['farmfix_a/__init__.py', 'farmfix_a-1.0.dist-info/METADATA'], ['farmfix_a']],
    ['a package with an extension', ['farmfix_c/__init__.py', 'farmfix_c/_mul.cpython-311-x86_64-linux-gnu.so'], ['farmfix_c']],
    ['a root extension module', ['_cffi_backend.cpython-311-arm-linux-gnueabihf.so', 'cffi/__init__.py'], ['_cffi_backend', 'cffi']],
    ['a single-file module', ['six.py', 'six-1.16.0.dist-info/RECORD'], ['six']],
    ['private root scripts are left out', ['_version_helper.py', 'pkg/__init__.py'], ['pkg']],
    ['a namespace package (no __init__)', ['google/protobuf/__init__.py'], ['google']],
    ['.data and dist-info only', ['x-1.0.data/scripts/tool', 'x-1.0.dist-info/METADATA'], []],
    ['non-identifier directories', ['my-dir/file.py', '__pycache__/x.pyc'], []],
  ])('%s', (_label, entries, expected) => {
    expect(topLevelModules(entries)).toEqual(expected);
  });
});

describe('smokeModules', () => {
  it('prefers the recipe import names', () => {
    expect(smokeModules(['yaml'], ['_yaml/__init__.py', 'yaml/__init__.py'])).toEqual(['yaml']);
    expect(smokeModules([], ['_yaml/__init__.py', 'yaml/__init__.py'])).toEqual(['_yaml', 'yaml']);
  });
});
