import { describe, expect, it } from 'vitest';
import { InputFileError } from '../../../src/errors.js';
import { formatMarker } from '../../../src/requirements/marker-format.js';
import {
  parseRequirementsFile,
  type ParsedRequirements,
  type ParseRequirementsOptions,
} from '../../../src/requirements/requirements-file.js';
import { memorySource } from './memory-source.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'B'.repeat(64);

/** pip's documented example (reference/requirements-file-format), plus the operators of its "Requirement Specifiers" page. */
const PIP_EXAMPLE = `# This is a comment, to show how #-prefixed lines are ignored.
# It is possible to specify requirements as plain names.
pytest
pytest-cov
beautifulsoup4

# The syntax supported here is the same as that of requirement specifiers.
docopt == 0.6.1
keyring >= 4.1.1
coverage != 3.5
Mopidy-Dummy ~= 0.0
requests [security] >= 2.8.1, == 2.8.* ; python_version < "2.7"
urllib3 @ https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip

# It is possible to refer to other requirement files or constraints files.
-r other-requirements.txt
-c constraints.txt

# Hash-checking mode.
FooProject == 1.2 --hash=sha256:${SHA_A} \\
                  --hash=sha256:${SHA_B}
`;

async function parse(files: Record<string, string>, top = 'requirements.txt', options?: ParseRequirementsOptions) {
  return parseRequirementsFile(top, memorySource(files), options);
}

async function parseError(files: Record<string, string>, top = 'requirements.txt', options?: ParseRequirementsOptions) {
  try {
    await parse(files, top, options);
  } catch (error) {
    expect(error).toBeInstanceOf(InputFileError);
    return error as InputFileError;
  }
  throw new Error('expected an InputFileError');
}

const summary = (p: ParsedRequirements['requirements']) =>
  p.map((r) => ({
    at: `${r.origin.file}:${r.origin.line}`,
    name: r.name,
    displayName: r.displayName,
    extras: r.extras,
    specifier: r.specifier,
    url: r.url,
    marker: r.marker === null ? null : formatMarker(r.marker),
    hashes: r.hashes,
  }));

describe("pip's documented example file", () => {
  const files = {
    'requirements.txt': PIP_EXAMPLE,
    'other-requirements.txt': 'six>=1.16  # from the included file\n',
    'constraints.txt': 'zipp<4\nidna == 3.6 ; python_version >= "3.8"\n',
  };

  it.each([
    // [file:line, name, displayName, extras, specifier, url, marker, hashes]
    ['requirements.txt:3', 'pytest', 'pytest', [], '', null, null, []],
    ['requirements.txt:4', 'pytest-cov', 'pytest-cov', [], '', null, null, []],
    ['requirements.txt:5', 'beautifulsoup4', 'beautifulsoup4', [], '', null, null, []],
    ['requirements.txt:8', 'docopt', 'docopt', [], '==0.6.1', null, null, []],
    ['requirements.txt:9', 'keyring', 'keyring', [], '>=4.1.1', null, null, []],
    ['requirements.txt:10', 'coverage', 'coverage', [], '!=3.5', null, null, []],
    ['requirements.txt:11', 'mopidy-dummy', 'Mopidy-Dummy', [], '~=0.0', null, null, []],
    ['requirements.txt:12', 'requests', 'requests', ['security'], '>=2.8.1,==2.8.*', null, 'python_version < "2.7"', []],
    ['requirements.txt:13', 'urllib3', 'urllib3', [], '', 'https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip', null, []],
    ['other-requirements.txt:1', 'six', 'six', [], '>=1.16', null, null, []],
    ['requirements.txt:20', 'fooproject', 'FooProject', [], '==1.2', null, null, [`sha256:${SHA_A}`, `sha256:${SHA_B.toLowerCase()}`]],
  ])('%s → %s', async (at, name, displayName, extras, specifier, url, marker, hashes) => {
    const parsed = await parse(files);
    const found = summary(parsed.requirements).find((r) => r.at === at);
    expect(found).toEqual({ at, name, displayName, extras, specifier, url, marker, hashes });
  });

  it('keeps file order, separates constraints and lists every file read', async () => {
    const parsed = await parse(files);
    expect(parsed.requirements.map((r) => r.name)).toEqual([
      'pytest', 'pytest-cov', 'beautifulsoup4', 'docopt', 'keyring', 'coverage', 'mopidy-dummy',
      'requests', 'urllib3', 'six', 'fooproject',
    ]);
    expect(summary(parsed.constraints).map((c) => [c.at, c.name, c.specifier, c.marker])).toEqual([
      ['constraints.txt:1', 'zipp', '<4', null],
      ['constraints.txt:2', 'idna', '==3.6', 'python_version >= "3.8"'],
    ]);
    expect(parsed.files).toEqual(['requirements.txt', 'other-requirements.txt', 'constraints.txt']);
    expect(parsed.pipOptions).toEqual([]);
    expect(parsed.sourceOptions).toEqual([]);
    expect(Object.isFrozen(parsed) && Object.isFrozen(parsed.requirements)).toBe(true);
  });

  it.each([
    ['./downloads/numpy-1.9.2-cp34-none-win32.whl', /is a path or URL without a project name/],
    ['http://wxpython.org/Phoenix/snapshot-builds/wxPython_Phoenix-3.0.3.dev1820+49a8884-cp34-none-win_amd64.whl', /is a path or URL without a project name/],
    ['numpy-1.9.2-cp34-none-win32.whl', /looks like a local archive file/],
    ['pkg-1.0.tar.gz', /looks like a local archive file/],
  ])('refuses the example’s unnamed archive line %s', async (line, reason) => {
    const error = await parseError({ 'requirements.txt': `a\n\n${line}\n` });
    expect([error.file, error.line]).toEqual(['requirements.txt', 3]);
    expect(error.reason).toMatch(reason);
  });
});

describe('includes', () => {
  it('resolves -r and -c relative to the including file, at any depth', async () => {
    const files = {
      'project/requirements.txt': '-r ../common/base.txt\n--constraint=pins/constraints.txt\napp\n',
      'common/base.txt': 'base\n-rnested/more.txt\n',
      'common/nested/more.txt': 'more\n-c ../../project/pins/also.txt\n',
      'project/pins/constraints.txt': 'base==1\n',
      'project/pins/also.txt': 'more==2\n',
    };
    const source = memorySource(files);
    const parsed = await parseRequirementsFile('project/requirements.txt', source);
    expect(parsed.requirements.map((r) => `${r.name}@${r.origin.file}:${r.origin.line}`)).toEqual([
      'base@common/base.txt:1',
      'more@common/nested/more.txt:1',
      'app@project/requirements.txt:3',
    ]);
    expect(parsed.constraints.map((r) => `${r.name}${r.specifier}@${r.origin.file}`)).toEqual([
      'more==2@project/pins/also.txt',
      'base==1@project/pins/constraints.txt',
    ]);
    expect(source.reads).toEqual([
      'project/requirements.txt',
      'common/base.txt',
      'common/nested/more.txt',
      'project/pins/also.txt',
      'project/pins/constraints.txt',
    ]);
  });

  it('reads absolute include paths as they are', async () => {
    const parsed = await parse({ 'requirements.txt': '-r /abs/x.txt\n', '/abs/x.txt': 'x\n' });
    expect(parsed.requirements.map((r) => r.origin.file)).toEqual(['/abs/x.txt']);
  });

  it('allows the same file twice when it is not a cycle', async () => {
    const parsed = await parse({ 'requirements.txt': '-r a.txt\n-r b.txt\n', 'a.txt': '-r c.txt\n', 'b.txt': '-r c.txt\n', 'c.txt': 'c\n' });
    expect(parsed.requirements.map((r) => r.name)).toEqual(['c', 'c']);
  });

  it('reports a cycle at the line that closes it, naming the chain', async () => {
    const error = await parseError({
      'requirements.txt': 'a\n-r sub/b.txt\n',
      'sub/b.txt': '# b\n-r ./c.txt\n',
      'sub/c.txt': 'c\n\n-c ../requirements.txt\n',
    });
    expect(error.message).toBe(
      'sub/c.txt:3: include cycle: requirements.txt -> sub/b.txt -> sub/c.txt -> requirements.txt',
    );
  });

  it('reports a file that includes itself', async () => {
    const error = await parseError({ 'requirements.txt': '-r ./requirements.txt\n' });
    expect(error.message).toBe('requirements.txt:1: include cycle: requirements.txt -> requirements.txt');
  });

  it('reports a missing include at the including line', async () => {
    const error = await parseError({ 'requirements.txt': 'a\n-c nope.txt\n' });
    expect(error.message).toMatch(/^requirements\.txt:2: cannot read constraints file nope\.txt: ENOENT/);
  });

  it('reports errors inside an included file with that file’s name and line', async () => {
    const error = await parseError({ 'requirements.txt': '-r inc/x.txt\n', 'inc/x.txt': 'ok\n\nbad[\n' });
    expect([error.file, error.line]).toEqual(['inc/x.txt', 3]);
  });

  it.each([
    ['-r https://example.test/reqs.txt', /reading requirements files from URLs is not supported/],
    ['-c file:///etc/constraints.txt', /reading constraints files from URLs is not supported/],
    ['-r a.txt --pre', /-r must be alone on its line/],
    ['-r a.txt -c b.txt', /-r must be alone on its line/],
    ['-r', /-r requires a value/],
    ["-r ''", /-r needs a file name/],
    ['foo -r a.txt', /-r cannot follow a requirement/],
  ])('%s is an error', async (line, reason) => {
    const error = await parseError({ 'requirements.txt': `x\n${line}\n`, 'a.txt': '', 'b.txt': '' });
    expect([error.file, error.line]).toEqual(['requirements.txt', 2]);
    expect(error.reason).toMatch(reason);
  });

  it('passes the top file’s read error through unchanged', async () => {
    await expect(parse({}, 'missing.txt')).rejects.toThrow(/ENOENT/);
  });
});

describe('refused options', () => {
  it.each([
    ['-i https://mirror.test/simple', '-i/--index-url is refused: it replaces the package index farm downloads sources from'],
    ['--index-url=https://mirror.test/simple', '-i/--index-url is refused: it replaces the package index farm downloads sources from'],
    ['--index-url https://mirror.test/simple', '-i/--index-url is refused: it replaces the package index farm downloads sources from'],
    ['-ihttps://mirror.test/simple', '-i/--index-url is refused: it replaces the package index farm downloads sources from'],
    ['--extra-index-url https://extra.test/simple', '--extra-index-url is refused: it adds a package index farm did not configure'],
    ['-f ./wheels', '-f/--find-links is refused: it adds a download location outside the configured package index'],
    ['--find-links=https://x.test/links.html', '-f/--find-links is refused: it adds a download location outside the configured package index'],
    ['--trusted-host mirror.test', '--trusted-host is refused: it lets pip download from a host without verified HTTPS'],
    ['--no-index', "--no-index is refused: it turns off farm's configured package index"],
    ['-e .', '-e/--editable is refused: editable installs build from a local checkout or VCS URL, not from a published release'],
    ['--editable=git+https://github.com/pypa/sampleproject#egg=sampleproject', '-e/--editable is refused: editable installs build from a local checkout or VCS URL, not from a published release'],
    ['foo --global-option=--no-cython', '--global-option is refused: farm configures builds in recipes, not per requirement line'],
    ['foo -C key=value', '-C/--config-settings is refused: farm configures builds in recipes, not per requirement line'],
    ['--unknown-thing', 'unknown option "--unknown-thing"'],
    ['--index=https://x.test', 'unknown option "--index"'],
    ['-x', 'unknown option "-x"'],
    ['foo --bogus', 'unknown option "--bogus"'],
    ['--pre=yes', '--pre does not take a value'],
    ['--pre extra', 'unexpected argument "extra" among options'],
    ['--hash=sha256:' + 'a'.repeat(64), '--hash needs a requirement on the same line'],
    ['foo --hash=md5:abc', '--hash "md5:abc": expected sha256:, sha384: or sha512: followed by the hex digest'],
    ['foo --hash=sha256:abc', '--hash "sha256:abc": a sha256 digest is 64 hex digits'],
    ['foo --pre', '--pre cannot follow a requirement; it applies to the whole file, put it on a line of its own'],
    ['foo --index-url https://x.test', '--index-url cannot follow a requirement; it applies to the whole file, put it on a line of its own'],
    ['--only-binary "unterminated', 'cannot split options "--only-binary \\"unterminated": No closing quotation'],
  ])('%s', async (line, reason) => {
    // Two lines before it, the second continued, so the line number is not 1 by luck.
    const error = await parseError({ 'req/requirements.txt': `first\nsecond \\\n  >=1\n${line}\n` }, 'req/requirements.txt');
    expect(error.message).toBe(`req/requirements.txt:4: ${reason}`);
  });

  it('reports an option on a continued line at its first physical line', async () => {
    const error = await parseError({ 'requirements.txt': 'a\n--find-links \\\n  ./wheels\n' });
    expect(error.message).toMatch(/^requirements\.txt:2: -f\/--find-links is refused/);
    expect(error.hint).toMatch(/farm\.config\.yaml/);
  });

  it('records source options instead when allowed', async () => {
    const parsed = await parse(
      {
        'requirements.txt':
          '-i https://mirror.test/simple\n--extra-index-url=https://extra.test/simple\n-f ./wheels\n--trusted-host mirror.test\n--no-index\n-e ./src/pkg\nfoo\n',
      },
      'requirements.txt',
      { allowSourceOptions: true },
    );
    expect(parsed.sourceOptions.map((o) => [o.option, o.value, o.origin.line])).toEqual([
      ['--index-url', 'https://mirror.test/simple', 1],
      ['--extra-index-url', 'https://extra.test/simple', 2],
      ['--find-links', './wheels', 3],
      ['--trusted-host', 'mirror.test', 4],
      ['--no-index', null, 5],
      ['--editable', './src/pkg', 6],
    ]);
    expect(parsed.requirements.map((r) => r.name)).toEqual(['foo']);
  });

  it('records harmless global pip switches', async () => {
    const parsed = await parse({ 'requirements.txt': "--pre\n--only-binary :all: --prefer-binary\n--no-binary='a b'\nfoo\n" });
    expect(parsed.pipOptions.map((o) => [o.option, o.value, o.origin.line])).toEqual([
      ['--pre', null, 1],
      ['--only-binary', ':all:', 2],
      ['--prefer-binary', null, 2],
      ['--no-binary', 'a b', 3],
    ]);
  });
});

describe('other file-level rules', () => {
  it('expands ${VAR} from the env option only', async () => {
    const files = { 'requirements.txt': 'foo @ https://${TOKEN}@git.test/foo.zip\nbar==${BAR_VERSION}\n' };
    const parsed = await parse(files, 'requirements.txt', { env: { TOKEN: 't0k', BAR_VERSION: '1.2' } });
    expect(parsed.requirements.map((r) => r.url ?? r.specifier)).toEqual(['https://t0k@git.test/foo.zip', '==1.2']);
    const error = await parseError(files);
    expect(error.message).toMatch(/^requirements\.txt:2: invalid requirement/);
  });

  it('refuses extras in constraints files, like pip', async () => {
    const error = await parseError({ 'requirements.txt': '-c c.txt\n', 'c.txt': 'requests[security]==2\n' });
    expect(error.message).toBe('c.txt:1: constraints cannot have extras (security)');
  });

  it('keeps hashes on constraints', async () => {
    const parsed = await parse({ 'requirements.txt': '-c c.txt\n', 'c.txt': `a==1 --hash sha512:${'c'.repeat(128)}\n` });
    expect(parsed.constraints[0]!.hashes).toEqual([`sha512:${'c'.repeat(128)}`]);
  });

  it('can only come from the parser (branded type)', () => {
    // @ts-expect-error a look-alike object is not a ParsedRequirements
    const fake: ParsedRequirements = { requirements: [], constraints: [], pipOptions: [], sourceOptions: [], files: [] };
    expect(fake.requirements).toEqual([]);
  });
});
