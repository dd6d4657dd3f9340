/**
 * Deterministic generator of random and mutated requirement lines for the
 * property test: a seeded PRNG, a corpus of valid lines, and mutations that
 * favour the characters the grammars care about.
 */

/** mulberry32: a tiny seeded PRNG, good enough to drive a fuzzer reproducibly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Valid lines to mutate: pip's documented examples and more of the grammar. */
export const VALID_LINES: readonly string[] = [
  'pytest',
  'pytest-cov',
  'beautifulsoup4',
  'docopt == 0.6.1',
  'keyring >= 4.1.1',
  'coverage != 3.5',
  'Mopidy-Dummy ~= 0.0',
  'requests [security] >= 2.8.1, == 2.8.* ; python_version < "2.7"',
  'urllib3 @ https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip',
  'foo ; platform_machine == "armv7l"',
  `FooProject == 1.2 --hash=sha256:${'2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'}`,
  `bar==2.0 --hash sha384:${'a'.repeat(96)} --hash=sha512:${'b'.repeat(128)}`,
  'name (>=1.0, <2.0) ; os_name == "posix" and (sys_platform == "linux" or sys_platform == "darwin")',
  "name[ext1,ext2]===1.0+legacy ; 'arm' in platform_machine",
  'zope.interface>=5.0.0.post1.dev3',
  'pkg ; python_full_version >= "3.8.1" and implementation_name != "pypy"',
  'pkg ; platform_machine not in "x86_64 aarch64" or extra == "test"',
  'pkg @ git+https://github.com/org/pkg.git@v1.0#egg=pkg ; python_version >= "3"',
  '-r other-requirements.txt',
  '-c constraints.txt',
  '-r fuzz.txt',
  '--pre',
  '--only-binary :all:',
  '-i https://pypi.org/simple',
  '--extra-index-url=https://x.test/simple',
  '-e git+https://github.com/org/pkg.git#egg=pkg',
  'pkg==1.0 # a comment',
  'pkg>=${VERSION}',
  'pkg \\',
];

/** Characters that matter to the grammars, plus hostile Unicode. No line breaks: the line number must stay 3. */
export const NASTY = [
  ...'"\'[](){};@\\#-=~<>!,.*+ \t$_:/%?&|^`',
  ...'aAzZ09',
  ...['and', 'or', 'not', 'in', '==', '~=', '===', ' ; ', ' @ ', ' --hash=', ' -r ', '${VERSION}', 'python_version'],
  ...['é', 'ß', 'İ', '\u00a0', '\u200b', '\u3000', '\ufeff', '\u0000', '😀', '\ud800', '\u202e'],
];

/** One test input: a mutation of a valid line, or random text. */
export function randomLine(random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const roll = random();
  if (roll < 0.1) {
    // Random text, sometimes very long.
    const length = random() < 0.05 ? 1000 + Math.floor(random() * 10000) : Math.floor(random() * 80);
    let out = '';
    while (out.length < length) out += pick(NASTY);
    return out;
  }
  let line = pick(VALID_LINES);
  const mutations = roll < 0.25 ? 0 : 1 + Math.floor(random() * 6);
  for (let m = 0; m < mutations; m++) {
    const at = Math.floor(random() * (line.length + 1));
    const kind = random();
    if (kind < 0.3) line = line.slice(0, at) + pick(NASTY) + line.slice(at);
    else if (kind < 0.5) line = line.slice(0, at) + line.slice(at + 1 + Math.floor(random() * 3));
    else if (kind < 0.75) line = line.slice(0, at) + pick(NASTY) + line.slice(at + 1);
    else if (kind < 0.96) line = line.slice(0, at) + line.slice(at, at + 1 + Math.floor(random() * 10)).repeat(2) + line.slice(at);
    else line = line.slice(0, at) + pick(NASTY).repeat(200 + Math.floor(random() * 3000)) + line.slice(at);
  }
  return line;
}
