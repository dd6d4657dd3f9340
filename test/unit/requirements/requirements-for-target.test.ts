import { describe, expect, it } from 'vitest';
import { InputFileError } from '../../../src/errors.js';
import { formatRequirement, toPipRequirementsText } from '../../../src/requirements/pip-requirements-text.js';
import { parseRequirementsFile } from '../../../src/requirements/requirements-file.js';
import { constraintsForTarget, requirementsForTarget } from '../../../src/requirements/requirements-for-target.js';
import { TARGETS, type Target } from '../../../src/targets/catalog.js';
import { memorySource } from './memory-source.js';

const target = (id: string): Target => TARGETS.get(id)!;
const HASH = `sha256:${'0'.repeat(64)}`;

const FILE = `common
foo ; platform_machine == "armv7l"
not-arm ; platform_machine != "armv7l"
old-py ; python_version < "3.10"
new-py ; python_version >= "3.12"
tomli >= 1.1 ; python_version < "3.11"
musl-or-arm ; platform_machine == "aarch64" or platform_machine == "armv7l"
win-only ; sys_platform == "win32"
Linux_Only[Extra] >= 2 ; platform_system == "Linux" --hash=${HASH}
-c constraints.txt
`;
const files = { 'requirements.txt': FILE, 'constraints.txt': 'tomli<3 ; python_version < "3.11"\nfoo==1\n' };
const parsed = await parseRequirementsFile('requirements.txt', memorySource(files));
const kept = (id: string, python: string) => requirementsForTarget(parsed, target(id), python).map((r) => r.name);

describe('requirementsForTarget', () => {
  it.each([
    ['glibc-armv7', '3.11', ['common', 'foo', 'musl-or-arm', 'linux-only']],
    ['glibc-x86_64', '3.11', ['common', 'not-arm', 'linux-only']],
    ['glibc-aarch64', '3.11', ['common', 'not-arm', 'musl-or-arm', 'linux-only']],
    ['musl-x86_64', '3.11', ['common', 'not-arm', 'linux-only']],
    ['musl-aarch64', '3.12', ['common', 'not-arm', 'new-py', 'musl-or-arm', 'linux-only']],
    ['glibc-x86_64', '3.9', ['common', 'not-arm', 'old-py', 'tomli', 'linux-only']],
    ['glibc-x86_64', '3.10', ['common', 'not-arm', 'tomli', 'linux-only']],
    ['glibc-x86_64', '3.13', ['common', 'not-arm', 'new-py', 'linux-only']],
  ])('%s with Python %s keeps %j', (id, python, names) => {
    expect(kept(id, python)).toEqual(names);
  });

  it('keeps foo (platform_machine == "armv7l") for glibc-armv7 and drops it for glibc-x86_64', () => {
    expect(kept('glibc-armv7', '3.11')).toContain('foo');
    expect(kept('glibc-x86_64', '3.11')).not.toContain('foo');
  });

  it('filters constraints the same way', () => {
    expect(constraintsForTarget(parsed, target('glibc-x86_64'), '3.10').map((c) => c.name)).toEqual(['tomli', 'foo']);
    expect(constraintsForTarget(parsed, target('glibc-x86_64'), '3.11').map((c) => c.name)).toEqual(['foo']);
  });

  it('names the line of a marker that cannot be evaluated', async () => {
    const bad = await parseRequirementsFile('r.txt', memorySource({ 'r.txt': 'a\nb ; python_version ~= "3"\n' }));
    expect(() => requirementsForTarget(bad, target('glibc-x86_64'), '3.11')).toThrow(InputFileError);
    expect(() => requirementsForTarget(bad, target('glibc-x86_64'), '3.11')).toThrow(/^r\.txt:2: invalid marker/);
  });
});

describe('toPipRequirementsText', () => {
  it('renders the kept requirements one per line, with hashes and without markers', () => {
    expect(toPipRequirementsText(requirementsForTarget(parsed, target('glibc-x86_64'), '3.10'))).toBe(
      `common\nnot-arm\ntomli>=1.1\nlinux-only[extra]>=2 --hash=${HASH}\n`,
    );
  });

  it('writes global pip options first, quoted for shlex when needed', async () => {
    const p = await parseRequirementsFile(
      'r.txt',
      memorySource({ 'r.txt': "--pre\n--no-binary 'a b'\n--only-binary=:all:\nurllib3 @ https://x.test/u.zip\n" }),
    );
    expect(toPipRequirementsText(p.requirements, { pipOptions: p.pipOptions })).toBe(
      "--pre\n--no-binary='a b'\n--only-binary=:all:\nurllib3 @ https://x.test/u.zip\n",
    );
  });

  it('is empty for nothing', () => {
    expect(toPipRequirementsText([])).toBe('');
  });

  it('round-trips: parsing the rendered text gives the same requirements', async () => {
    const text = parsed.requirements.map((r) => formatRequirement(r)).join('\n');
    const again = await parseRequirementsFile('again.txt', memorySource({ 'again.txt': text }));
    const strip = (rs: typeof parsed.requirements) => rs.map(({ origin: _origin, displayName: _d, ...rest }) => rest);
    expect(strip(again.requirements)).toEqual(strip(parsed.requirements));
  });
});
