/** What `farm show <project> <version>` prints: each file of a release and how farm made it. Pure. */
import type { BuildProvenance, SystemPackageSet } from '../../repository/inventory-schema.js';
import type { ReleaseFiles } from '../../repository/find-release.js';
import type { Style } from './style.js';

const INSTALL: Readonly<Record<SystemPackageSet['manager'], string>> = {
  apt: 'apt install',
  apk: 'apk add',
  dnf: 'dnf install',
  yum: 'yum install',
};

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** Label column, then value; continuation lines indented under the value. */
function field(label: string, value: string | readonly string[], style: Style): string[] {
  const values = typeof value === 'string' ? [value] : value;
  const pad = '  ' + ' '.repeat(15);
  return values.map((v, i) => (i === 0 ? `  ${style.dim(label.padEnd(15))}${v}` : `${pad}${v}`));
}

function provenanceLines(build: BuildProvenance, style: Style): string[] {
  const lines: string[] = [];
  const add = (label: string, value: string | readonly string[] | undefined) => {
    if (value !== undefined && (typeof value === 'string' || value.length > 0)) lines.push(...field(label, value, style));
  };
  if (build.target !== undefined) add('built for', `${build.target}${build.python !== undefined ? `, Python ${build.python}` : ''}`);
  if (build.sdist !== undefined) add('sdist', `${build.sdist.filename} sha256:${build.sdist.sha256}`);
  add('image', build.image);
  if (build.buildImage !== undefined) {
    const pkgs = build.systemPackages === undefined ? '' : ` (${build.systemPackages.manager}: ${build.systemPackages.packages.join(' ')})`;
    add('build image', `${build.buildImage}${pkgs}`);
  }
  add('recipe', build.recipeHash);
  if (build.network !== undefined) add('network', build.network === 'none' ? 'none (hermetic compile)' : `${build.network}${build.networkReason !== undefined ? `: ${build.networkReason}` : ''}`);
  if (build.buildDependencies !== undefined) {
    add(
      'build deps',
      build.buildDependencies.length === 0 ? 'none' : build.buildDependencies.map((d) => `${d.filename} sha256:${d.sha256}`),
    );
  }
  if (build.repair !== undefined) {
    const how = { auditwheel: 'auditwheel repair', vendored: 'farm vendored its shared libraries', none: 'not needed (no external shared libraries)' }[build.repair];
    add('repair', how);
  }
  add(
    'vendored',
    (build.vendoredLibraries ?? []).map((l) => `${l.soname} → ${l.path}${l.package !== undefined ? ` (from ${l.package})` : ''} sha256:${l.sha256}`),
  );
  add(
    'needs',
    (build.runtimePackages ?? []).filter((s) => s.packages.length > 0).map((s) => `${INSTALL[s.manager]} ${s.packages.join(' ')}`),
  );
  return lines;
}

/** One block per file: name, digest, size, upload time, then its provenance (or where it came from). */
export function renderRelease(releases: readonly ReleaseFiles[], style: Style): string[] {
  const lines: string[] = [];
  for (const release of releases) {
    for (const file of release.files) {
      if (lines.length > 0) lines.push('');
      lines.push(`${style.bold(`${release.repository}/${file.filename}`)}${file.yanked ? style.yellow(` (yanked${file.yankedReason === '' ? '' : `: ${file.yankedReason}`})`) : ''}`);
      lines.push(...field('sha256', file.sha256, style));
      lines.push(...field('size', `${size(file.size)}, uploaded ${file.uploadTime}`, style));
      if (file.build === undefined) {
        lines.push(...field('origin', file.origin === 'adopted' ? 'copied into packages/ by hand (adopted)' : 'not built by farm (mirrored from upstream or farm add)', style));
      } else {
        lines.push(...provenanceLines(file.build, style));
      }
    }
  }
  return lines;
}
