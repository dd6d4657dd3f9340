import { describe, expect, it } from 'vitest';
import { InputFileError } from '../../../src/errors.js';
import { formatMarker } from '../../../src/requirements/marker-format.js';
import { parseRequirement } from '../../../src/requirements/pep508-requirement.js';

const origin = { file: 'r.txt', line: 7 };

describe('parseRequirement: valid PEP 508 lines', () => {
  it.each([
    // [line, name, extras, specifier, url, marker]
    ['pytest', 'pytest', [], '', null, null],
    ['pytest-cov', 'pytest-cov', [], '', null, null],
    ['docopt == 0.6.1', 'docopt', [], '==0.6.1', null, null],
    ['keyring >= 4.1.1', 'keyring', [], '>=4.1.1', null, null],
    ['coverage != 3.5', 'coverage', [], '!=3.5', null, null],
    ['Mopidy-Dummy ~= 0.0', 'Mopidy-Dummy', [], '~=0.0', null, null],
    [
      'requests [security] >= 2.8.1, == 2.8.* ; python_version < "2.7"',
      'requests',
      ['security'],
      '>=2.8.1,==2.8.*',
      null,
      'python_version < "2.7"',
    ],
    [
      'urllib3 @ https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip',
      'urllib3',
      [],
      '',
      'https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip',
      null,
    ],
    [
      'pip @ https://x.test/pip.zip#sha1=da9234ee ; python_version >= "3"',
      'pip',
      [],
      '',
      'https://x.test/pip.zip#sha1=da9234ee',
      'python_version >= "3"',
    ],
    ['A', 'A', [], '', null, null],
    ['zope.interface>=5', 'zope.interface', [], '>=5', null, null],
    ['name (>=1.0, <2)', 'name', [], '>=1.0,<2', null, null],
    ['name[Fancy_Extra, other.x,fancy-extra]', 'name', ['fancy-extra', 'other-x'], '', null, null],
    ['name[]', 'name', [], '', null, null],
    ['name===1.0+weird', 'name', [], '===1.0+weird', null, null],
    ['name===anything-goes!', 'name', [], '===anything-goes!', null, null],
    ['name==1.0.post1.dev2', 'name', [], '==1.0.post1.dev2', null, null],
    ['name==1!2.0', 'name', [], '==1!2.0', null, null],
    ['name!=1.0+local', 'name', [], '!=1.0+local', null, null],
    ['name;os_name=="posix"', 'name', [], '', null, 'os_name == "posix"'],
    ["name ; 'linux' in sys_platform", 'name', [], '', null, '"linux" in sys_platform'],
    [
      'name ; (python_version<"3.8" or python_version>="3.12") and platform_machine!="armv7l"',
      'name',
      [],
      '',
      null,
      '(python_version < "3.8" or python_version >= "3.12") and platform_machine != "armv7l"',
    ],
    ['\tname\t>=1\t', 'name', [], '>=1', null, null],
    // packaging (so pip) tolerates one trailing comma.
    ['coverage != 3.5,', 'coverage', [], '!=3.5', null, null],
    ['name (>=1,)', 'name', [], '>=1', null, null],
  ])('%j', (line, name, extras, specifier, url, marker) => {
    const r = parseRequirement(line as string, origin);
    expect(r.name).toBe(name);
    expect(r.extras).toEqual(extras);
    expect(r.specifier).toBe(specifier);
    expect(r.url).toBe(url);
    expect(r.marker === null ? null : formatMarker(r.marker)).toBe(marker);
  });
});

describe('parseRequirement: invalid lines give file:line and the column', () => {
  it.each([
    ['', /expected a project name/],
    ['-foo', /expected a project name/],
    ['foo-', /project name must end with a letter or digit/],
    ['foo bar', /expected a version specifier, ';' or the end of the line at column 5/],
    ['naïve', /expected a version specifier/],
    ['foo[bar', /expected ',' or '\]' in extras/],
    ['foo[bar,]', /expected an extra name/],
    ['foo >=', /expected a version after '>='/],
    ['foo >=1,,', /expected a version specifier, ';' or the end/],
    ['foo (>=1,,)', /expected ',' or '\)'/],
    ['foo ; os_name == "a\\x"', /marker strings cannot contain backslashes or control characters at column 20/],
    ['foo ; os_name == "a\u0000"', /marker strings cannot contain backslashes or control characters/],
    ['foo ~=1', /invalid version specifier '~=1'/],
    ['foo ==1.0.*.1', /expected a version specifier|invalid version specifier/],
    ['foo <=1.0.*', /invalid version specifier '<=1.0.\*'/],
    ['foo >=1.0+local', /invalid version specifier/],
    ['foo >= not-a-version', /invalid version specifier/],
    ['foo (>=1', /expected ',' or '\)'/],
    ['foo @', /expected a URL/],
    ['foo @ not a url', /invalid URL|expected ';'/],
    ['foo @ https://x.test/a.zip extra', /expected ';' or the end of the line/],
    ['foo ; ', /invalid marker: expected a marker variable/],
    ['foo ; python_version', /invalid marker: expected a comparison operator/],
    ['foo ; python_version < "3', /invalid marker: unterminated string/],
    ['foo ; python_version < 3', /invalid marker: unknown marker variable '3' \(quote string values\)/],
    ['foo ; platform_machine = "x"', /invalid marker: expected a comparison operator/],
    ['foo ; nonsense == "x"', /unknown marker variable 'nonsense'/],
    ['foo ; "a" == "b"', /a comparison needs a marker variable on one side/],
    ['foo ; os_name == sys_platform', /a comparison needs a marker variable on one side/],
    ['foo ; os_name == "a" and', /expected a marker variable/],
    ['foo ; os_name == "a" xor os_name == "b"', /expected 'and', 'or' or the end/],
    ['foo ; (os_name == "a"', /expected '\)'/],
    ['foo ; os_name == "a")', /expected 'and', 'or' or the end/],
    ['foo ; os_name notin "a"', /expected a comparison operator/],
    ['foo ; ' + '('.repeat(100) + 'os_name == "a"' + ')'.repeat(100), /nested deeper than 64/],
  ])('%j', (line, reason) => {
    let error: unknown;
    try {
      parseRequirement(line, origin);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputFileError);
    const e = error as InputFileError;
    expect([e.file, e.line]).toEqual(['r.txt', 7]);
    expect(e.message.startsWith('r.txt:7: invalid ')).toBe(true);
    expect(e.reason).toMatch(reason);
  });
});
