/**
 * Just enough ELF to check what a build produced: the machine it is for, its
 * ABI flags, and what it links against (PT_INTERP and DT_NEEDED from the
 * dynamic segment). Reads program headers only, so stripped files work too.
 */

/** `e_machine` values farm's targets produce. */
export const EM = { ARM: 40, X86_64: 62, AARCH64: 183 } as const;
/** ARM EABI hard-float flag in `e_flags` (armhf). */
export const EF_ARM_ABI_FLOAT_HARD = 0x400;

export interface ElfInfo {
  bits: 32 | 64;
  littleEndian: boolean;
  /** 2 = executable, 3 = shared object. */
  type: number;
  machine: number;
  flags: number;
  /** The program interpreter (dynamic loader) of executables. */
  interpreter: string | undefined;
  /** DT_NEEDED: the shared libraries it links against. */
  needed: string[];
  soname: string | undefined;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_SONAME = 14;

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

export function parseElf(data: Buffer): ElfInfo {
  if (data.length < 52 || data.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  const bits = data[4] === 2 ? 64 : 32;
  const littleEndian = data[5] === 1;
  const u16 = (at: number) => (littleEndian ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const u32 = (at: number) => (littleEndian ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const u64 = (at: number) => Number(littleEndian ? data.readBigUInt64LE(at) : data.readBigUInt64BE(at));
  const word = bits === 64 ? u64 : u32;

  const type = u16(16);
  const machine = u16(18);
  const flags = u32(bits === 64 ? 48 : 36);
  const phoff = word(bits === 64 ? 32 : 28);
  const phentsize = u16(bits === 64 ? 54 : 42);
  const phnum = u16(bits === 64 ? 56 : 44);

  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    segments.push(
      bits === 64
        ? { type: u32(at), offset: u64(at + 8), vaddr: u64(at + 16), filesz: u64(at + 32) }
        : { type: u32(at), offset: u32(at + 4), vaddr: u32(at + 8), filesz: u32(at + 16) },
    );
  }

  const cString = (at: number) => {
    const end = data.indexOf(0, at);
    return data.toString('latin1', at, end === -1 ? data.length : end);
  };

  const interp = segments.find((s) => s.type === PT_INTERP);
  const interpreter = interp === undefined ? undefined : cString(interp.offset);

  const needed: string[] = [];
  let soname: string | undefined;
  const dynamic = segments.find((s) => s.type === PT_DYNAMIC);
  if (dynamic !== undefined) {
    const entrySize = bits === 64 ? 16 : 8;
    const entries: [number, number][] = [];
    for (let at = dynamic.offset; at + entrySize <= dynamic.offset + dynamic.filesz; at += entrySize) {
      const tag = bits === 64 ? u64(at) : u32(at);
      const value = bits === 64 ? u64(at + 8) : u32(at + 4);
      if (tag === 0) break;
      entries.push([tag, value]);
    }
    const strtabAddr = entries.find(([tag]) => tag === DT_STRTAB)?.[1];
    if (strtabAddr === undefined) throw new Error('dynamic segment without DT_STRTAB');
    // DT_STRTAB is a virtual address: find the loaded segment that holds it.
    const load = segments.find((s) => s.type === PT_LOAD && strtabAddr >= s.vaddr && strtabAddr < s.vaddr + s.filesz);
    if (load === undefined) throw new Error('DT_STRTAB outside every PT_LOAD segment');
    const strtab = strtabAddr - load.vaddr + load.offset;
    for (const [tag, value] of entries) {
      if (tag === DT_NEEDED) needed.push(cString(strtab + value));
      if (tag === DT_SONAME) soname = cString(strtab + value);
    }
  }
  return { bits, littleEndian, type, machine, flags, interpreter, needed, soname };
}
